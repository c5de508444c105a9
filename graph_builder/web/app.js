// The lexgraph query page: named queries as examples, a SPARQL editor, results as a table.
// Everything goes through the endpoint of this server; nothing is loaded from elsewhere.
"use strict";

const PREFIXES = {
  "lex": "https://w3id.org/lexgraph/ontology#",
  "eli": "http://data.europa.eu/eli/ontology#",
  "cito": "http://purl.org/spar/cito/",
  "oa": "http://www.w3.org/ns/oa#",
  "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
  "skos": "http://www.w3.org/2004/02/skos/core#",
  "xsd": "http://www.w3.org/2001/XMLSchema#",
  "act": "https://w3id.org/lexgraph/akn/un/act/",
  "doc": "https://w3id.org/lexgraph/akn/un/doc/",
};
// Datatypes a reader recognises from the value itself: not labelled in the table.
const PLAIN_TYPES = new Set(["string", "integer", "decimal", "double", "date", "boolean",
                             "nonNegativeInteger", "dateTime"]);
const EXPLORE = "SELECT ?subject ?predicate ?object\nWHERE { ?subject ?predicate ?object }\nLIMIT 500";

const $ = (id) => document.getElementById(id);
let current = null;  // the named query loaded in the editor, if unchanged

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === "text") node.textContent = value; else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function shorten(iri) {
  for (const [prefix, namespace] of Object.entries(PREFIXES)) {
    if (iri.startsWith(namespace) && /^[\w.~!-]*$/.test(iri.slice(namespace.length))) {
      return prefix + ":" + iri.slice(namespace.length);
    }
  }
  return "<" + iri + ">";
}

async function loadExamples() {
  try {
    const response = await fetch("/queries", { headers: { "Accept": "application/json" } });
    const info = await response.json();
    $("dataset").textContent = info.triples.toLocaleString("en") + " triples" +
      (info.sources.length ? " from " + info.sources.join(", ") : "") +
      (info.update ? " · read-write" : " · read-only");
    const list = $("examples");
    for (const query of info.queries) {
      const button = element("button", { "type": "button", "class": "example",
                                         "data-name": query.name, "aria-pressed": "false",
                                         "title": query.purpose },
                             element("strong", { text: query.name }),
                             element("span", { text: query.summary }));
      button.addEventListener("click", () => choose(query, button));
      list.append(element("li", {}, button));
    }
    document.body.dataset.ready = "true";
  } catch (error) {
    $("dataset").textContent = "Could not load the named queries: " + error;
  }
}

function choose(query, button) {
  for (const other of document.querySelectorAll(".example")) other.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-pressed", "true");
  current = query;
  $("query").value = query.query;
  showParams(query.parameters);
  $("status").textContent = query.purpose;
  hideError();
}

function showParams(parameters) {
  const list = $("param-list");
  list.replaceChildren();
  for (const parameter of parameters) {
    const id = "param-" + parameter.name;
    const input = element("input", { "id": id, "name": "$" + parameter.name, "type": "text",
                                     "placeholder": parameter.type + (parameter.required ? " (required)" : "") });
    if (parameter.example) input.value = parameter.example;
    list.append(element("div", { "class": "param" },
                        element("label", { "for": id, text: "?" + parameter.name }), input,
                        element("small", { text: parameter.description })));
  }
  $("params").hidden = parameters.length === 0;
}

function requestBody(extra) {
  const body = new URLSearchParams();
  body.set("query", $("query").value);
  for (const input of $("param-list").querySelectorAll("input")) {
    if (input.value.trim() !== "") body.set(input.name, input.value.trim());
  }
  for (const [name, value] of Object.entries(extra || {})) body.set(name, value);
  return body;
}

// A named query run as it stands is asked for by name: on a corpus store the server answers it
// from the counts the build keeps. An edited query goes to the SPARQL endpoint as text.
function target(extra) {
  const body = requestBody(extra);
  if (current && current.name && $("query").value === current.query) {
    body.delete("query");
    return { url: "/queries/" + encodeURIComponent(current.name), body: body };
  }
  return { url: "/sparql", body: body };
}

function hideError() { $("error").hidden = true; $("error").textContent = ""; }

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
}

async function run(event) {
  if (event) event.preventDefault();
  const button = $("run");
  button.disabled = true;
  hideError();
  $("results").replaceChildren();
  $("status").textContent = "Running…";
  const started = performance.now();
  try {
    const request = target();
    const response = await fetch(request.url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
      body: request.body,
    });
    const elapsed = Math.round(performance.now() - started);
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      $("status").textContent = "";
      showError(response.status + " " + response.statusText + ": " + (await response.text()).trim());
      return;
    }
    if (type.startsWith("application/sparql-results+json")) {
      const data = await response.json();
      if ("boolean" in data) {
        $("results").append(element("p", { "class": "boolean", text: "ASK: " + data.boolean }));
        $("status").textContent = "Answered in " + elapsed + " ms.";
      } else {
        renderTable(data);
        const count = data.results.bindings.length;
        $("status").textContent = count + (count === 1 ? " row" : " rows") + " in " + elapsed + " ms.";
      }
    } else {
      $("results").append(element("pre", { "class": "graph", text: await response.text() }));
      $("status").textContent = "Graph in " + elapsed + " ms.";
    }
  } catch (error) {
    showError(String(error));
  } finally {
    button.disabled = false;
  }
}

function cell(term) {
  const td = element("td");
  if (!term) return td;
  if (term.type === "uri") {
    const link = element("a", { "href": "#", "title": term.value + " (click to explore)", text: shorten(term.value) });
    link.addEventListener("click", (event) => { event.preventDefault(); explore(term.value); });
    td.append(link);
  } else if (term.type === "bnode") {
    td.textContent = "_:" + term.value;
  } else {
    td.append(document.createTextNode(term.value));
    if (term["xml:lang"]) td.append(element("span", { "class": "lang", text: "@" + term["xml:lang"] }));
    else if (term.datatype && !PLAIN_TYPES.has(term.datatype.slice(PREFIXES.xsd.length))) {
      td.append(element("span", { "class": "datatype", text: shorten(term.datatype) }));
    }
  }
  return td;
}

function renderTable(data) {
  const vars = data.head.vars;
  const table = element("table", { "id": "result-table" });
  table.append(element("thead", {}, element("tr", {}, ...vars.map((v) => element("th", { "scope": "col", text: v })))));
  const body = element("tbody");
  for (const row of data.results.bindings) {
    body.append(element("tr", {}, ...vars.map((v) => cell(row[v]))));
  }
  table.append(body);
  $("results").append(table);
}

function explore(iri) {
  current = null;
  for (const other of document.querySelectorAll(".example")) other.setAttribute("aria-pressed", "false");
  $("query").value = EXPLORE;
  showParams([{ name: "subject", type: "IRI", required: false, example: "<" + iri + ">",
                description: "the node to explore" }]);
  run();
}

function download() {
  const format = $("download-format").value;
  const request = target({ format: format });
  const url = request.url + "?" + request.body.toString();
  const link = element("a", { "href": url, "download": "results." + (format === "turtle" ? "ttl" : format) });
  document.body.append(link);
  link.click();
  link.remove();
}

document.addEventListener("DOMContentLoaded", () => {
  $("query-form").addEventListener("submit", run);
  $("download").addEventListener("click", download);
  $("query").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(event);
  });
  $("query").addEventListener("input", () => { current = null; });
  loadExamples();
});
