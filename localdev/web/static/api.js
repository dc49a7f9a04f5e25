// The Integrations API client: the base URL and bearer token the page was given, and
// one call that turns every problem+json answer into an ApiError.
//
// It talks only to the documented routes (docs/openapi.yaml), always with
// `Authorization: Bearer <token>`. Config saves pass `ifMatch` with the ETag the config
// was read with; a 412 means someone else saved meanwhile.

export const config = readConfig();

function readConfig() {
  const provided = window.LOC8_CONFIG || {};
  const params = new URLSearchParams(window.location.search);
  const override = params.get("token");
  if (override) {
    // Kept for this tab only, so it survives the round trip through the app's consent
    // page; taken out of the address bar so it is not bookmarked or shared.
    sessionStorage.setItem("loc8.token", override);
    params.delete("token");
    replaceQuery(params);
  }
  return {
    apiUrl: String(provided.apiUrl || "").replace(/\/+$/, ""),
    token: sessionStorage.getItem("loc8.token") || provided.token || "",
  };
}

export function replaceQuery(params) {
  const query = params.toString();
  history.replaceState(null, "", window.location.pathname + (query ? `?${query}` : ""));
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(method, path, { body, ifMatch } = {}) {
  const headers = {
    Accept: "application/json, application/problem+json",
    Authorization: `Bearer ${config.token}`,
  };
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (ifMatch) headers["If-Match"] = ifMatch;
  let response;
  try {
    response = await fetch(config.apiUrl + path, init);
  } catch {
    throw new ApiError(0, {
      title: "The Integrations API could not be reached",
      detail: `No answer from ${config.apiUrl || "(no API URL configured)"}. Check your connection and try again.`,
    });
  }
  const type = response.headers.get("Content-Type") || "";
  const data = response.status !== 204 && type.includes("json") ? await response.json() : null;
  if (!response.ok) {
    throw new ApiError(response.status, {
      title: (data && data.title) || `The request failed (HTTP ${response.status})`,
      detail: (data && data.detail) || "",
      errors: (data && Array.isArray(data.errors) && data.errors) || [],
      ...(data || {}),
    });
  }
  return { data, etag: response.headers.get("ETag") };
}

export const enc = encodeURIComponent;
export const integrationPath = (id, rest = "") => `/v1/integrations/${enc(id)}${rest}`;
