// Offline validation of the Kustomize base in deploy/ (or the folder given as the first argument).
// Renders the base the way this repository uses Kustomize (resources, images, labels), then checks every object
// against the Kubernetes API JSON schemas (kubernetes-models; the ServiceMonitor with
// @kubernetes-models/prometheus-operator) and a few cross-object rules: selectors match the pods, configMap volume
// items name keys that exist, and the ConfigMap holds the repository's config/ files as they are.
// No cluster and no kubectl: what a server would add (admission, defaults, CRD presence) is not checked.
//   node deploy/validate/validate.mjs [kustomization-folder]
// Exits 0 when every object is valid, 1 with one line per problem ("Kind/name (file): message") otherwise.
// --write-configmap regenerates configmap.yaml from config/ instead.
import { readFileSync, writeFileSync, existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const writeConfigMap = args.includes("--write-configmap");
const base = resolve(args.find((a) => !a.startsWith("--")) ?? join(here, ".."));
const configFolder = resolve(base, "..", "config");
const configMapName = "xefai-gateway-config";
const problems = [];

function readYamlFile(file) {
  const text = readFileSync(file, "utf8");
  const documents = parseAllDocuments(text);
  const objects = [];
  for (const document of documents) {
    if (document.errors.length > 0) {
      problems.push(`${relative(base, file)}: YAML: ${document.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const value = document.toJS();
    if (value !== null && value !== undefined) {
      objects.push({ file: relative(base, file), object: value });
    }
  }
  return objects;
}

// The configuration folder's files as ConfigMap keys: prompts/chart-summary/1.json -> prompts.chart-summary.1.json
// (keys cannot hold '/'). Only the files the gateway reads: appsettings.json and prompts/**/*.json.
function configFiles() {
  const files = new Map();
  files.set("appsettings.json", join(configFolder, "appsettings.json"));
  const prompts = join(configFolder, "prompts");
  const walk = (folder) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        walk(path);
      } else if (name.endsWith(".json")) {
        files.set(relative(configFolder, path).split(sep).join("."), path);
      }
    }
  };
  if (existsSync(prompts)) {
    walk(prompts);
  }
  return files;
}

if (writeConfigMap) {
  const data = {};
  for (const [key, path] of configFiles()) {
    data[key] = readFileSync(path, "utf8");
  }
  const header =
    "# Generated from config/ by `node deploy/validate/validate.mjs --write-configmap`; the validation fails when it\n" +
    "# differs from config/. Keys stand for paths (prompts.chart-summary.1.json is prompts/chart-summary/1.json):\n" +
    "# the Deployment's config volume maps them back.\n";
  const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: configMapName }, data };
  writeFileSync(join(base, "configmap.yaml"), header + stringify(object, { blockQuote: "literal", lineWidth: 0 }));
  console.log(`wrote ${join(base, "configmap.yaml")}`);
  process.exit(0);
}

// Render.
const kustomizationFile = join(base, "kustomization.yaml");
if (!existsSync(kustomizationFile)) {
  console.error(`INVALID: ${kustomizationFile} not found`);
  process.exit(1);
}
const kustomization = readYamlFile(kustomizationFile)[0]?.object ?? {};
const rendered = [];
for (const resource of kustomization.resources ?? []) {
  const file = join(base, resource);
  if (!existsSync(file)) {
    problems.push(`kustomization.yaml: resource ${resource} not found`);
    continue;
  }
  rendered.push(...readYamlFile(file));
}
const images = new Map((kustomization.images ?? []).map((i) => [i.name, i]));
const commonLabels = Object.assign({}, ...(kustomization.labels ?? []).map((l) => l.pairs ?? {}));
for (const { object } of rendered) {
  if (object && typeof object === "object" && object.metadata && typeof object.metadata === "object") {
    object.metadata.labels = { ...(object.metadata.labels ?? {}), ...commonLabels };
  }
  for (const container of object?.spec?.template?.spec?.containers ?? []) {
    const image = images.get(container?.image);
    if (image) {
      container.image = `${image.newName ?? image.name}${image.newTag ? ":" + image.newTag : ""}`;
    }
  }
}

// Schemas.
const modules = new Map();
async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const specifier =
    group === "monitoring.coreos.com"
      ? `@kubernetes-models/prometheus-operator/${group}/${version}`
      : group === "" ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
  if (!modules.has(specifier)) {
    modules.set(specifier, await import(specifier).catch(() => null));
  }
  return modules.get(specifier)?.[kind];
}

const describe = (o, file) => `${o?.kind ?? "?"}/${o?.metadata?.name ?? "?"} (${file})`;
for (const { file, object } of rendered) {
  if (typeof object?.apiVersion !== "string" || typeof object?.kind !== "string") {
    problems.push(`${describe(object, file)}: apiVersion and kind are required strings`);
    continue;
  }
  if (typeof object.metadata?.name !== "string" || object.metadata.name === "") {
    problems.push(`${describe(object, file)}: metadata.name is required`);
  }
  const Model = await modelFor(object.apiVersion, object.kind);
  if (!Model) {
    problems.push(`${describe(object, file)}: no schema for ${object.apiVersion} ${object.kind}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${describe(object, file)}: ${error.message}`);
  }
}

// Cross-object rules.
const byKind = (kind) => rendered.filter((r) => r.object?.kind === kind);
const matches = (selector, labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v) && Object.keys(selector ?? {}).length > 0;
const deployments = byKind("Deployment");
const podLabels = deployments.map((d) => d.object.spec?.template?.metadata?.labels ?? {});
for (const { file, object } of byKind("Service")) {
  if (!podLabels.some((labels) => matches(object.spec?.selector, labels))) {
    problems.push(`${describe(object, file)}: selector matches no Deployment's pods`);
  }
}
for (const { file, object } of byKind("PodDisruptionBudget")) {
  if (!podLabels.some((labels) => matches(object.spec?.selector?.matchLabels, labels))) {
    problems.push(`${describe(object, file)}: selector matches no Deployment's pods`);
  }
}
for (const { file, object } of byKind("HorizontalPodAutoscaler")) {
  const target = object.spec?.scaleTargetRef;
  if (!deployments.some((d) => d.object.metadata?.name === target?.name && target?.kind === "Deployment")) {
    problems.push(`${describe(object, file)}: scaleTargetRef names no Deployment here`);
  }
}
for (const { file, object } of byKind("ServiceMonitor")) {
  const services = byKind("Service").filter((s) => matches(object.spec?.selector?.matchLabels, s.object.metadata?.labels));
  if (services.length === 0) {
    problems.push(`${describe(object, file)}: selector matches no Service's labels`);
  }
  for (const endpoint of object.spec?.endpoints ?? []) {
    if (!services.some((s) => (s.object.spec?.ports ?? []).some((p) => p.name === endpoint.port))) {
      problems.push(`${describe(object, file)}: endpoint port ${endpoint.port} is no port of the selected Service`);
    }
  }
}
const configMaps = new Map(byKind("ConfigMap").map((c) => [c.object.metadata?.name, c.object]));
for (const { file, object } of deployments) {
  for (const volume of object.spec?.template?.spec?.volumes ?? []) {
    if (!volume.configMap) continue;
    const configMap = configMaps.get(volume.configMap.name);
    if (!configMap) {
      problems.push(`${describe(object, file)}: volume ${volume.name} names ConfigMap ${volume.configMap.name}, not in the base`);
      continue;
    }
    const keys = Object.keys(configMap.data ?? {});
    const mapped = (volume.configMap.items ?? []).map((i) => i.key);
    for (const key of mapped.filter((k) => !keys.includes(k))) {
      problems.push(`${describe(object, file)}: volume ${volume.name} maps key ${key}, not in ConfigMap ${configMap.metadata.name}`);
    }
    if (mapped.length > 0) {
      for (const key of keys.filter((k) => !mapped.includes(k))) {
        problems.push(`${describe(object, file)}: volume ${volume.name} leaves out ConfigMap key ${key}`);
      }
    }
  }
}
const shipped = configMaps.get(configMapName);
if (shipped && existsSync(join(configFolder, "appsettings.json"))) {
  const expected = configFiles();
  for (const [key, path] of expected) {
    if (shipped.data?.[key] === undefined) {
      problems.push(`ConfigMap/${configMapName}: no key ${key} for ${relative(base, path)}; run validate.mjs --write-configmap`);
    } else if (shipped.data[key] !== readFileSync(path, "utf8")) {
      problems.push(`ConfigMap/${configMapName}: ${key} differs from ${relative(base, path)}; run validate.mjs --write-configmap`);
    }
  }
  for (const key of Object.keys(shipped.data ?? {}).filter((k) => !expected.has(k))) {
    problems.push(`ConfigMap/${configMapName}: key ${key} has no file in config/; run validate.mjs --write-configmap`);
  }
}

if (rendered.length === 0) {
  problems.push("kustomization.yaml: no objects rendered");
}
if (problems.length > 0) {
  for (const problem of problems) console.error(`INVALID: ${problem}`);
  process.exit(1);
}
for (const { file, object } of rendered) console.log(`valid: ${describe(object, file)}`);
console.log(`${rendered.length} objects valid against the Kubernetes API schemas (offline; no cluster).`);
