/**
 * Lazy access to the directory generator. The generator needs faker, whose import alone costs about as much
 * CPU as the rest of the start-up; nothing imports it statically, so a server that generates nothing
 * (`scimulator serve`, `--data`, a scenario with literal resources only) never loads it.
 *
 * The async entry points that read a scenario (loadScenarioFile, scenarioFor) load it when the scenario
 * generates; code that builds a directory from a scenario it parsed itself (parseScenario) awaits
 * loadGenerator() first.
 */
type GeneratorModule = typeof import('./generate.js');

let loaded: GeneratorModule | undefined;

/** Loads the generator (and faker) once. */
export async function loadGenerator(): Promise<GeneratorModule> {
  loaded ??= await import('./generate.js');
  return loaded;
}

/** Whether the generator has been loaded (tests check that starting without generating never loads it). */
export function generatorLoaded(): boolean {
  return loaded !== undefined;
}

/** The loaded generator; throws when loadGenerator() was not awaited first. */
export function generator(): GeneratorModule {
  if (!loaded) throw new Error('the directory generator is not loaded: await loadGenerator() before generating a directory');
  return loaded;
}

/** The instant generated and literal resources are dated at unless a scenario names one. */
export const DEFAULT_REFERENCE_DATE = '2025-01-01T00:00:00.000Z';
