export default async function globalTeardown() {
  await globalThis.hearthTestServer?.stop();
}
