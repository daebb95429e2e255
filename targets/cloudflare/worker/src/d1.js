// D1 access that meters itself: every statement's rows read and written,
// as D1 reports them in the result's meta, go to the meter.

// all runs a prepared statement and returns its rows.
export async function all(meter, statement) {
  const result = await statement.all();
  meter.addD1(result.meta);
  return result.results;
}

// run runs a prepared statement for its effect and returns how many rows
// it changed.
export async function run(meter, statement) {
  const result = await statement.run();
  meter.addD1(result.meta);
  return result.meta.changes;
}
