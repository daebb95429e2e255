package costmodel

// Unit is a billable unit: what a pricing catalog prices and what an
// operation mapping, a profile or a target's /meters counts.
type Unit struct {
	Name string
	// Measure is what one of it is called in a price: "$0.015/GB-month".
	Measure string
}

// knownUnits are the billable units of both platforms. Names are shared
// with the targets' /meters (contract.md) and must not change: a catalog or
// a profile naming anything else is rejected.
var knownUnits = []Unit{
	{"worker_requests", "request"},
	{"worker_cpu_ms", "CPU-ms"},
	{"do_requests", "request"},
	{"do_ws_messages_in", "message"},
	{"do_duration_gb_s", "GB-s"},
	{"do_rows_read", "row"},
	{"do_rows_written", "row"},
	{"do_storage_gb", "GB-month"},
	{"d1_rows_read", "row"},
	{"d1_rows_written", "row"},
	{"d1_storage_gb", "GB-month"},
	{"kv_reads", "read"},
	{"kv_writes", "write"},
	{"kv_storage_gb", "GB-month"},
	{"r2_storage_gb", "GB-month"},
	{"r2_class_a", "operation"},
	{"r2_class_b", "operation"},
	{"queue_operations", "operation"},
	{"cron_triggers", "trigger"},
	{"convex_function_calls", "call"},
	{"convex_action_gb_hours", "GB-hour"},
	{"convex_db_storage_gb", "GB-month"},
	{"convex_db_io_gb", "GB"},
	{"convex_db_bytes_read", "byte"},
	{"convex_db_bytes_written", "byte"},
	{"convex_file_storage_gb", "GB-month"},
	{"convex_file_egress_gb", "GB"},
	{"seats", "seat"},
}

// unitByName finds a known unit.
func unitByName(name string) (Unit, bool) {
	for _, u := range knownUnits {
		if u.Name == name {
			return u, true
		}
	}
	return Unit{}, false
}

// KnownUnits lists the billable unit names in catalog order.
func KnownUnits() []string {
	names := make([]string, len(knownUnits))
	for i, u := range knownUnits {
		names[i] = u.Name
	}
	return names
}

// Operation names: what one scenario operation is, whatever the platform.
const (
	OpHTTPRequest      = "http_request"
	OpItemWrite        = "item_write"
	OpItemRead         = "item_read"
	OpWebhook          = "webhook"
	OpJobScheduled     = "job_scheduled"
	OpJobFired         = "job_fired"
	OpMessagePublished = "message_published"
	// OpMessageDelivered is one message delivered to one subscriber.
	OpMessageDelivered = "message_delivered"
	OpWSConnect        = "ws_connect"
)

// Operations lists the operation names in the order bills and tables use.
var Operations = []string{
	OpHTTPRequest, OpItemWrite, OpItemRead, OpWebhook, OpJobScheduled,
	OpJobFired, OpMessagePublished, OpMessageDelivered, OpWSConnect,
}

// Resources are the profile's monthly quantities that are not operations:
// stored data, file traffic and team size. Each platform's mapping says
// which units they become.
var Resources = []string{
	"db_storage_gb", "file_storage_gb", "file_egress_gb", "file_uploads", "file_downloads", "seats",
}

func isOperation(name string) bool { return contains(Operations, name) }
func isResource(name string) bool  { return contains(Resources, name) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
