// Creates a set of example items through the running service's REST API (`npm run seed`).
// Names that already exist are skipped, so a second run creates nothing.
// SEED_BASE_URL selects the service; the default is the golden service's local HTTP listener.
// SEED_TOKEN is sent as a bearer token (scope items:read items:write); not needed when the
// service runs with `npm run dev`, whose development principal holds every scope.

/** One example item, as `POST /v1/items` takes it. */
export interface ExampleItem {
  readonly name: string;
  readonly description?: string;
  readonly tags?: readonly string[];
}

/** What a seed run did. */
export interface SeedResult {
  readonly baseUrl: string;
  readonly created: number;
  readonly skipped: number;
}

/** Options of {@link seed}. */
export interface SeedOptions {
  /** Time each request may take; default 5 s. */
  readonly timeoutMs?: number;
  /** Example items to create; default {@link exampleItems}. */
  readonly items?: readonly ExampleItem[];
  /** Bearer token sent with every request, when the service verifies tokens. */
  readonly token?: string | undefined;
}

/** A failure the seed explains in one message (the service is down, a request was refused). */
export class SeedError extends Error {
  override name = "SeedError";
}

export const DEFAULT_BASE_URL = "http://127.0.0.1:8080";

/** A small workshop-and-office inventory: varied names, descriptions and tags. */
export const exampleItems: readonly ExampleItem[] = [
  {
    name: "Desk lamp",
    description:
      "Adjustable LED lamp with a warm-white mode and a USB-C charging port in the base.",
    tags: ["home", "lighting", "office"],
  },
  {
    name: "Mechanical keyboard",
    description: "Tenkeyless layout, hot-swappable switches, detachable braided cable.",
    tags: ["office", "peripherals", "input"],
  },
  {
    name: "27-inch monitor",
    description: "1440p IPS panel on a height-adjustable stand; one DisplayPort, two HDMI inputs.",
    tags: ["office", "display"],
  },
  {
    name: "Ergonomic chair",
    description: "Mesh back with lumbar support, 4D armrests and a seat-depth adjustment.",
    tags: ["office", "furniture", "ergonomics"],
  },
  {
    name: "Standing desk frame",
    description: "Dual-motor frame, 160 × 80 cm top, four memory presets.",
    tags: ["office", "furniture", "ergonomics"],
  },
  {
    name: "Noise-cancelling headphones",
    description: "Over-ear, Bluetooth 5.3, about 30 hours per charge.",
    tags: ["audio", "travel"],
  },
  {
    name: "USB-C hub",
    description:
      "Seven ports: HDMI, Ethernet, SD reader, three USB-A and 100 W pass-through power.",
    tags: ["peripherals", "travel", "cables"],
  },
  { name: "Webcam", tags: ["video", "peripherals"] },
  {
    name: "Cordless drill",
    description: "18 V brushless drill-driver with two batteries and a 13 mm keyless chuck.",
    tags: ["tools", "workshop", "power-tools"],
  },
  {
    name: "Precision screwdriver set",
    description: "64 bits including Torx, Pentalobe and tri-wing, magnetic driver handle.",
    tags: ["tools", "repair"],
  },
  {
    name: "Soldering station",
    description: "Temperature-controlled, 200–480 °C, with a brass tip cleaner.",
    tags: ["tools", "electronics", "repair"],
  },
  {
    name: "Digital multimeter",
    description: "Auto-ranging, true RMS, with continuity buzzer and temperature probe.",
    tags: ["tools", "electronics", "measurement"],
  },
  {
    name: "Tape measure",
    description: "5 m, metric and imperial markings.",
    tags: ["tools", "measurement"],
  },
  { name: "Safety glasses", tags: ["workshop", "safety"] },
  {
    name: "French press",
    description: "1 litre, double-walled stainless steel; keeps coffee hot for an hour.",
    tags: ["kitchen", "coffee"],
  },
  {
    name: "Burr coffee grinder",
    description: "Conical steel burrs, 40 grind settings from espresso to cold brew.",
    tags: ["kitchen", "coffee"],
  },
  {
    name: "Electric kettle",
    description: "1.7 litres with temperature presets for green tea, oolong and coffee.",
    tags: ["kitchen", "tea", "coffee"],
  },
  { name: "Cast-iron skillet", description: "26 cm, pre-seasoned.", tags: ["kitchen", "cookware"] },
  {
    name: "Houseplant: monstera",
    description: "Medium pot; water when the top 3 cm of soil is dry, bright indirect light.",
    tags: ["home", "plants"],
  },
  { name: "Watering can", tags: ["home", "plants", "garden"] },
  {
    name: "Trail running shoes",
    description: "Size 43, 6 mm drop, lugged outsole for mud.",
    tags: ["sports", "running", "outdoor"],
  },
  {
    name: "Two-person tent",
    description: "Freestanding, 1.9 kg, with a vestibule on each side.",
    tags: ["outdoor", "camping", "travel"],
  },
  {
    name: "Headlamp",
    description: "400 lumens, red-light mode, rechargeable.",
    tags: ["outdoor", "camping", "lighting"],
  },
  {
    name: "Notebook, dotted A5",
    description: "160 pages of 100 g/m² paper, lies flat.",
    tags: ["stationery", "office"],
  },
  { name: "Fountain pen" },
];

/** Runs the seed against `baseUrl`: lists the existing names, then creates the missing items. */
export async function seed(baseUrl: string, options: SeedOptions = {}): Promise<SeedResult> {
  const client = new Client(baseUrl, options.timeoutMs ?? 5_000, options.token);
  const items = options.items ?? exampleItems;
  const existing = await client.listNames();
  let created = 0;
  let skipped = 0;
  for (const item of items) {
    if (existing.has(item.name)) {
      skipped += 1;
      continue;
    }
    try {
      await client.create(item);
    } catch (error) {
      if (error instanceof SeedError && created > 0) {
        error.message += ` (${created} item(s) created before this failure)`;
      }
      throw error;
    }
    existing.add(item.name);
    created += 1;
  }
  return { baseUrl: client.baseUrl, created, skipped };
}

interface ListPage {
  readonly items: readonly { readonly name: string }[];
  readonly nextPageToken: string;
}

/** The few REST calls the seed makes, with one clear message for each way they fail. */
class Client {
  readonly baseUrl: string;
  readonly #timeoutMs: number;
  readonly #authorization: Record<string, string>;

  constructor(baseUrl: string, timeoutMs: number, token: string | undefined) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.#timeoutMs = timeoutMs;
    this.#authorization = token ? { authorization: `Bearer ${token}` } : {};
  }

  /** Names of every item the service has, read page by page. */
  async listNames(): Promise<Set<string>> {
    const names = new Set<string>();
    let pageToken = "";
    // A bound, so that a service answering the same token forever cannot hang the seed.
    for (let page = 0; page < 10_000; page += 1) {
      const query = new URLSearchParams({ pageSize: "100" });
      if (pageToken !== "") query.set("pageToken", pageToken);
      const response = await this.#fetch(`/v1/items?${query}`, { method: "GET" });
      if (response.status !== 200) throw await this.#refused("GET /v1/items", response);
      const body = (await response.json()) as ListPage;
      if (!Array.isArray(body.items) || typeof body.nextPageToken !== "string") {
        throw new SeedError(
          `GET /v1/items on ${this.baseUrl} did not answer with { items, nextPageToken }: is SEED_BASE_URL the service's HTTP listener?`,
        );
      }
      for (const item of body.items) names.add(item.name);
      if (body.nextPageToken === "") return names;
      pageToken = body.nextPageToken;
    }
    throw new SeedError(`GET /v1/items on ${this.baseUrl} never reached its last page`);
  }

  /** Creates one item; anything but 201 is an error. */
  async create(item: ExampleItem): Promise<void> {
    const response = await this.#fetch("/v1/items", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(item),
    });
    if (response.status !== 201) {
      throw await this.#refused(`POST /v1/items ${JSON.stringify(item.name)}`, response);
    }
    await response.body?.cancel();
  }

  /** fetch with a timeout; waits out 429s (at most three times, as `Retry-After` says). */
  async #fetch(path: string, init: RequestInit): Promise<Response> {
    const url = `${this.baseUrl}${path}`;
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(url, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), ...this.#authorization },
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      } catch (error) {
        throw new SeedError(
          `cannot reach the service at ${this.baseUrl} (${describeNetworkError(error)}). ` +
            "Start it (`npm start`) or point SEED_BASE_URL at its HTTP listener, then run the seed again.",
        );
      }
      if (response.status !== 429 || attempt > 3) return response;
      await response.body?.cancel();
      const seconds = Number(response.headers.get("retry-after"));
      const waitMs = Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 10) * 1000 : 1000;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  /** The error for an unexpected status, with the problem document's code and detail. */
  async #refused(what: string, response: Response): Promise<SeedError> {
    let reason = "";
    try {
      const problem = (await response.json()) as { code?: unknown; detail?: unknown };
      reason = [problem.code, problem.detail].filter((part) => typeof part === "string").join(": ");
    } catch {
      // Not JSON: the status says enough.
    }
    const status = `${response.status} ${response.statusText}`.trim();
    return new SeedError(
      `${what} on ${this.baseUrl} answered ${status}${reason === "" ? "" : ` (${reason})`}`,
    );
  }
}

/** The useful part of a fetch failure: `connect ECONNREFUSED 127.0.0.1:8080`, a timeout... */
function describeNetworkError(error: unknown): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return "no answer in time";
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && cause.message !== "") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

if (import.meta.main) {
  const baseUrl = process.env.SEED_BASE_URL || DEFAULT_BASE_URL;
  try {
    const result = await seed(baseUrl, { token: process.env.SEED_TOKEN });
    console.log(
      `seed: ${result.created} item(s) created, ${result.skipped} already present, on ${result.baseUrl}`,
    );
  } catch (error) {
    if (!(error instanceof SeedError)) throw error;
    console.error(`seed: ${error.message}`);
    process.exitCode = 1;
  }
}
