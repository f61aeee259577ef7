-- wrk script for bench/api_bench.py: one target, a random patient per request, latency quantiles to a file.
--
-- Environment: BENCH_TARGET (passport, search, bare-passport, bare-search), BENCH_PATIENTS (ids 1..N),
-- BENCH_TOKEN (a registered client's bearer token), BENCH_SEED, BENCH_OUT (where done() writes its figures).

local paths = {
  ["passport"] = "/fhir/Patient/%d/$passport",
  ["search"] = "/fhir/MedicationStatement?patient=Patient/%d",
  ["bare-passport"] = "/bench-bare/passport?patient=Patient/%d",
  ["bare-search"] = "/bench-bare/search?patient=Patient/%d",
}
local template = assert(paths[os.getenv("BENCH_TARGET")], "BENCH_TARGET must name a target")
local patients = assert(tonumber(os.getenv("BENCH_PATIENTS")), "BENCH_PATIENTS must be a number")

wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("BENCH_TOKEN"), "BENCH_TOKEN is needed")
wrk.headers["Accept"] = "application/fhir+json"

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("index", threads)
end

function init(args)
  math.randomseed((tonumber(os.getenv("BENCH_SEED")) or 1) * 1000 + (index or 0))
end

function request()
  return wrk.format(nil, string.format(template, math.random(1, patients)))
end

-- Counts, then the latency at every 0.1 percentile (microseconds): the caller merges chunks from these.
function done(summary, latency, requests)
  local out = assert(io.open(assert(os.getenv("BENCH_OUT")), "w"))
  local e = summary.errors
  out:write(string.format("requests %d\nduration_us %d\nbytes %d\n", summary.requests, summary.duration, summary.bytes))
  out:write(string.format("errors %d %d %d %d %d\n", e.connect, e.read, e.write, e.status, e.timeout))
  for tenth = 1, 999 do
    out:write(string.format("q %d\n", latency:percentile(tenth / 10)))
  end
  out:write(string.format("max %d\n", latency.max))
  out:close()
end
