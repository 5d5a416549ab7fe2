/**
 * A misbehaving stand-in for the worker entry (tests only), chosen by FAKE_WORKER:
 * "wedged" says ready and then never answers an apply; "dies" exits with code 3 before saying ready.
 */
if (process.env.FAKE_WORKER === 'dies') process.exit(3);
process.on('message', (m: { t?: string }) => {
  if (m?.t === 'stop') process.exit(0);
});
process.send?.({ t: 'ready' });
