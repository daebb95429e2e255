package targets_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"versus/targets"
)

func TestPublisherForPostsToTheContractRoute(t *testing.T) {
	cs := newChannelServer()
	srv := cs.start(t)
	pub := targets.PublisherFor(urlInstance(srv.URL), srv.Client())
	_, got := subscribe(t, targets.SubscriberFor(urlInstance(srv.URL)), "room")
	for want := int64(1); want <= 3; want++ {
		ack, err := pub.Publish(context.Background(), "room", json.RawMessage(`{"k":"v"}`))
		if err != nil {
			t.Fatal(err)
		}
		if ack.Seq != want || ack.CommittedAt == 0 {
			t.Fatalf("ack %+v, want seq %d", ack, want)
		}
		if m := got.next(t); m.Seq != want || string(m.Payload) != `{"k":"v"}` {
			t.Fatalf("delivered %+v", m)
		}
	}
}

func TestPublisherForReportsARefusal(t *testing.T) {
	cs := newChannelServer()
	srv := cs.start(t)
	_, err := targets.PublisherFor(urlInstance(srv.URL), nil).Publish(context.Background(), "refused", json.RawMessage(`1`))
	if err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "bad body") {
		t.Fatalf("err = %v, want the 400 and its body", err)
	}
}

func TestPublisherForPrefersTheInstancesOwnPublisher(t *testing.T) {
	own := ownPublisherInstance{urlInstance("http://127.0.0.1:1")}
	if _, ok := targets.PublisherFor(own, http.DefaultClient).(ownPublisherInstance); !ok {
		t.Fatal("PublisherFor ignored the instance's own Publisher")
	}
}

type ownPublisherInstance struct{ urlInstance }

func (ownPublisherInstance) Publish(context.Context, string, json.RawMessage) (targets.Ack, error) {
	return targets.Ack{}, nil
}
