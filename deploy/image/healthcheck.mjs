// The image's HEALTHCHECK: the API's readiness (database up, every migration applied).
// No curl in the image; Node's fetch does it.
const port = process.env.PORT || '3000';
try {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
