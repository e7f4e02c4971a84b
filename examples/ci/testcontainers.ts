/**
 * Scimulator in a Testcontainers (Node) test: one container for the test file, ready when /_mock/health answers.
 * npm install --save-dev testcontainers scimulator vitest; the image comes from Scimulator's Dockerfile:
 *   docker build -t scimulator:local .        (or: await GenericContainer.fromDockerfile('path/to/scimulator').build('scimulator:local'))
 */
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { ScimulatorClient } from 'scimulator';
import { afterAll, beforeAll, expect, it } from 'vitest';

let container: StartedTestContainer;
let baseUrl: string;
let scim: ScimulatorClient;

beforeAll(async () => {
  container = await new GenericContainer('scimulator:local')
    .withEnvironment({ SCIMULATOR_SEED_FILE: 'seeds/okta-like.json', SCIMULATOR_PROFILE: 'okta' })
    .withExposedPorts(8080)
    // The wait strategy: the control API's health endpoint answers 200 once the directory is seeded.
    .withWaitStrategy(Wait.forHttp('/_mock/health', 8080).forStatusCode(200))
    .withStartupTimeout(60_000)
    .start();
  const url = `http://${container.getHost()}:${container.getMappedPort(8080)}`;
  baseUrl = `${url}/scim/v2`;
  scim = new ScimulatorClient(url);
}, 120_000);

// docker stop sends SIGTERM: in-flight requests finish and the server exits 0.
afterAll(async () => {
  await container?.stop();
});

it('provisions users the RFC way', async () => {
  // Point the client under test at baseUrl with the token "scimulator-dev-token", run it, then check what it sent:
  const res = await fetch(`${baseUrl}/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`, {
    headers: { Authorization: 'Bearer scimulator-dev-token' },
  });
  expect(res.status).toBe(200);
  const report = await scim.conformanceReport();
  expect(report.failures).toBe(0);
});
