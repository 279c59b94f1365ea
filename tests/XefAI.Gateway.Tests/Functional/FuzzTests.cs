using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using XefAI.Testing;
using Xunit.Abstractions;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Thousands of generated malformed requests across every route: bodies broken at the byte, the JSON, the OpenAI
/// and the FHIR level; hostile headers, paths and query strings. Whatever arrives, the gateway answers without a
/// 5xx, names no .NET type, and leaves an audit record for every call made with a valid key.
/// The generator is seeded, so a failure is reproducible from the seed the test prints.
/// </summary>
public sealed partial class FuzzTests(ITestOutputHelper output)
{
    private const int Requests = 2400;
    private const int Seed = 20261130;

    private const string ValidBundle = """
        {"resourceType":"Bundle","type":"collection","entry":[
          {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","id":"p1","name":[{"family":"Doe","given":["Jane"]}],"birthDate":"1960-02-03"}},
          {"resource":{"resourceType":"Condition","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"code":{"text":"Type 2 diabetes mellitus"},"subject":{"reference":"urn:uuid:1"}}},
          {"resource":{"resourceType":"Observation","status":"final","code":{"text":"HbA1c"},"valueQuantity":{"value":7.2,"unit":"%"},"effectiveDateTime":"2026-10-01"}}]}
        """;

    private static readonly string[] UseCases = ["summary", "vendor-chat", "suspended-case", "retired-case", "no-such-case", ""];
    private static readonly string[] Actions = ["approve", "activate", "suspend", "resume", "retire", "edit", "reject", "Suspend", "retire,approve", "suspend%20", "4", "%00", "..", "history"];
    private static readonly string[] Garbage = ["", " ", "%00", "%ff%fe", "%E2%80%AE", "..%2f..%2fetc%2fpasswd", "☃", "\u202e", "a%20b", "%25", "{}", "[]", "null", "-1", "99999999999999999999", "2026-13-45", "le9999-12-31", "gt9999-12-31T23:59:59.9999999Z", "eq2026", "sa", "ap2026-11", "ne2026-01-01"];

    // An exception's name, a stack frame ("at Namespace.Type.Method("), or a namespaced .NET type name.
    [GeneratedRegex(@"(Exception\b|\bat [\w.`<>+]+\(|\b(System|Microsoft|XefAI|Hl7|Yarp|Polly)\.[A-Z]\w*)", RegexOptions.CultureInvariant)]
    private static partial Regex TypeNames();

    [Fact]
    public async Task Fuzz_MalformedRequestsAcrossEveryRoute_No5xxNoTypeNamesEveryAuthenticatedCallAudited()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(c =>
        {
            vendor.Configure(c);
            c["Gateway"]!["UnauthenticatedRequestsPerMinute"] = 1_000_000;

            // The clinical task API needs a use case with a template; "summary" (in process) names the shipped one.
            c["Data"]!["PromptsPath"] = ClinicalTaskTests.Fixture.ShippedPrompts;
            c["Governance"]!["UseCases"]!["summary"]!["PromptTemplate"] = new JsonObject { ["Id"] = "discharge-summary", ["Version"] = "1" };
            c["CdsHooks"] = new JsonObject
            {
                ["Services"] = new JsonObject
                {
                    ["fuzz-review"] = new JsonObject
                    {
                        ["UseCase"] = "summary",
                        ["Hook"] = "patient-view",
                        ["Title"] = "Fuzz review",
                        ["Description"] = "A service for the fuzz test.",
                        ["Prefetch"] = new JsonObject { ["patient"] = "Patient/{{context.patientId}}" },
                    },
                },
            };
            c["ClinicalTasks"] = new JsonObject
            {
                ["FhirContext"] = new JsonObject
                {
                    ["summary"] = new JsonObject { ["FhirServer"] = "http://127.0.0.1:1/fhir", ["Queries"] = new JsonArray("Patient/{{patientId}}") },
                },
            };
        });
        output.WriteLine($"seed {Seed}");
        var random = new Random(Seed);
        var cases = Enumerable.Range(0, Requests).Select(i => NextCase(random, i)).ToList();
        var failures = new ConcurrentQueue<string>();
        var audited = new ConcurrentDictionary<string, string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var refusedByServer = 0;

        // The handler propagates no trace context of its own: while a traced gateway of another test runs in this process,
        // its HttpClient instrumentation (process-wide) gives this client's requests activities of a new trace, and their
        // traceparent would replace the case's, whose trace id the audit records are looked up by (a CI run found 198
        // calls "without a record", all made while TracingTests ran).
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ActivityHeadersPropagator = null }) { BaseAddress = host.Address };
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (fuzz, ct) =>
        {
            using var request = fuzz.ToRequest();
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            // The one 5xx a request may earn: 502 for the FHIR server on 127.0.0.1:1 that nobody listens on, as specified.
            if (status >= 500 && !(status == 502 && body.Contains("fhir_server_error", StringComparison.Ordinal)))
            {
                failures.Enqueue($"#{fuzz.Index} {fuzz.Describe()} -> {status} {Truncate(body)}");
            }

            if (TypeNames().Match(body) is { Success: true } leak)
            {
                failures.Enqueue($"#{fuzz.Index} {fuzz.Describe()} -> body names '{leak.Value}': {Truncate(body)}");
            }

            // Kestrel refuses some requests itself (a NUL or control character in the path) before any middleware
            // runs: those never reached the gateway, and carry none of its headers.
            var reachedGateway = response.Headers.Contains("X-Content-Type-Options");
            if (!reachedGateway)
            {
                Interlocked.Increment(ref refusedByServer);
            }

            if (fuzz.Authenticated && reachedGateway && fuzz.TraceId is { } traceId)
            {
                audited[traceId] = $"#{fuzz.Index} {fuzz.Describe()} -> {status}";
            }
        });

        output.WriteLine($"refused by Kestrel before the gateway: {refusedByServer}");
        Assert.True(refusedByServer < Requests / 10, $"{refusedByServer} requests never reached the gateway: the generator is too crude");
        output.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        Assert.True(failures.IsEmpty, $"{failures.Count} bad answers, first ones:\n" + string.Join("\n", failures.Take(15)));

        // Access records are committed just after the answer leaves, so the last few may trail it briefly.
        var missing = new List<string>();
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var traces = await AllAuditTraceIdsAsync(host);
            missing = [.. audited.Where(a => !traces.Contains(a.Key)).Select(a => a.Value)];
            if (missing.Count == 0)
            {
                break;
            }

            await Task.Delay(250);
        }

        Assert.True(missing.Count == 0, $"{missing.Count} authenticated calls without an audit record, first ones:\n" + string.Join("\n", missing.Take(15)));
        output.WriteLine($"{audited.Count} authenticated calls, each with its audit record");
        Assert.True(audited.Count > Requests / 2, $"only {audited.Count} calls were authenticated");

        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var verification = JsonNode.Parse(await admin.GetStringAsync(new Uri("/admin/audit/verify", UriKind.Relative)))!;
        Assert.True((bool)verification["valid"]!);
    }

    private static async Task<HashSet<string>> AllAuditTraceIdsAsync(GatewayHost host)
    {
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var traces = new HashSet<string>(StringComparer.Ordinal);
        string? next = "/admin/audit?limit=1000";
        while (next is not null)
        {
            var page = JsonNode.Parse(await admin.GetStringAsync(new Uri(next, UriKind.Relative)))!;
            foreach (var record in page["data"]!.AsArray())
            {
                traces.Add((string)record!["traceId"]!);
            }

            next = (string?)page["next"];
        }

        return traces;
    }

    private static FuzzCase NextCase(Random random, int index)
    {
        var traceId = Convert.ToHexStringLower(random.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 16));
        var roll = random.Next(100);
        var fuzz = roll switch
        {
            < 29 => ChatCase(random),
            < 35 => ResponsesCase(random),
            < 41 => EmbeddingsCase(random),
            < 47 => InvokeCase(random),
            < 53 => CdsHooksCase(random),
            < 60 => AdminCase(random),
            < 75 => FhirCase(random),
            < 88 => ClientReadCase(random),
            _ => ActionCase(random),
        };

        fuzz = fuzz with { Index = index };

        // Keys: mostly the right one for the route, sometimes the wrong kind, missing or garbage.
        var keyRoll = random.Next(100);
        var key = keyRoll switch
        {
            < 80 => fuzz.Path.StartsWith("/admin", StringComparison.Ordinal) || fuzz.Path.StartsWith("/fhir", StringComparison.Ordinal)
                ? GatewayHost.AdminKey
                : GatewayHost.ClientKey,
            < 83 => GatewayHost.AdminKey,
            < 86 => GatewayHost.OtherClientKey,
            < 92 => null,
            _ => "sk-" + RandomAscii(random, random.Next(0, 80)),
        };
        var adminRoute = fuzz.Path.StartsWith("/admin", StringComparison.Ordinal) || fuzz.Path.StartsWith("/fhir", StringComparison.Ordinal);
        var authenticated = adminRoute ? key == GatewayHost.AdminKey : key is GatewayHost.ClientKey or GatewayHost.OtherClientKey;

        // A valid traceparent ties the answer to its audit record; some calls carry a hostile one instead.
        string? traceparent = $"00-{traceId}-{traceId[..16]}-01";
        string? expectedTrace = traceId;
        if (random.Next(10) == 0)
        {
            traceparent = random.Next(3) switch
            {
                0 => "00-" + RandomAscii(random, 40),
                1 => "ff-00000000000000000000000000000000-0000000000000000-01",
                _ => new string('0', random.Next(0, 300)),
            };
            expectedTrace = null;
        }

        return fuzz with { Key = key, Traceparent = traceparent, TraceId = expectedTrace, Authenticated = authenticated };
    }

    private static FuzzCase ChatCase(Random random)
    {
        var useCase = random.GetItems(UseCases, 1)[0];
        var template = random.Next(4) switch
        {
            0 => GatewayCalls.ChatBody(useCase, "Patient stable overnight. Plan: discharge home with metformin 500 mg twice daily."),
            1 => GatewayCalls.ChatBody(useCase, ValidBundle),
            2 => """{"model":"USECASE","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Summarize."},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}],"temperature":0.2,"max_tokens":64,"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}],"tool_choice":"auto","metadata":{"k":"v"},"seed":7,"stream":false}""".Replace("USECASE", useCase, StringComparison.Ordinal),
            _ => """{"model":"USECASE","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hello"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"lookup","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"42"}]}""".Replace("USECASE", useCase, StringComparison.Ordinal),
        };
        var body = Encoding.UTF8.GetBytes(template);
        var mutations = random.Next(1, 4);
        for (var i = 0; i < mutations; i++)
        {
            body = Mutate(random, body);
        }

        var headers = new List<(string, string)>();
        if (random.Next(8) == 0)
        {
            headers.Add(("X-XefAI-Use-Case", RandomAscii(random, random.Next(0, 100))));
        }

        var contentType = random.Next(10) == 0 ? RandomAscii(random, 20) : "application/json";
        return new FuzzCase(HttpMethod.Post, "/v1/chat/completions", body, contentType, headers);
    }

    // The Responses API: plain text, items with function calls and their outputs, tools and a JSON schema, streams.
    private static FuzzCase ResponsesCase(Random random)
    {
        var useCase = random.GetItems(UseCases, 1)[0];
        var template = random.Next(4) switch
        {
            0 => """{"model":"USECASE","instructions":"Be brief.","input":"Patient stable overnight. Plan: discharge home.","max_output_tokens":64}""",
            1 => """{"model":"USECASE","input":[{"role":"user","content":[{"type":"input_text","text":"Dose?"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]},{"type":"function_call","call_id":"c1","name":"weight","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"70 kg"}],"tools":[{"type":"function","name":"weight","parameters":{"type":"object"}}],"tool_choice":{"type":"function","name":"weight"}}""",
            2 => """{"model":"USECASE","input":"x","stream":true,"text":{"format":{"type":"json_schema","name":"s","schema":{"type":"object"},"strict":true}},"reasoning":{"effort":"low"},"store":false}""",
            _ => """{"model":"USECASE","input":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hi"}]},{"role":"user","content":"Again"}],"previous_response_id":null,"metadata":{"k":"v"}}""",
        };
        var body = Encoding.UTF8.GetBytes(template.Replace("USECASE", useCase, StringComparison.Ordinal));
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            body = Mutate(random, body);
        }

        return new FuzzCase(HttpMethod.Post, "/v1/responses", body, "application/json", []);
    }

    private static FuzzCase EmbeddingsCase(Random random)
    {
        var useCase = random.GetItems(UseCases, 1)[0];
        var template = random.Next(3) switch
        {
            0 => """{"model":"USECASE","input":"Chest pain since noon."}""",
            1 => """{"model":"USECASE","input":["a","b","c"],"encoding_format":"base64","dimensions":64,"user":"u1"}""",
            _ => """{"model":"USECASE","input":[[1,2,3],[4]],"encoding_format":"float"}""",
        };
        var body = Encoding.UTF8.GetBytes(template.Replace("USECASE", useCase, StringComparison.Ordinal));
        for (var i = random.Next(0, 3); i > 0; i--)
        {
            body = Mutate(random, body);
        }

        return new FuzzCase(HttpMethod.Post, "/v1/embeddings", body, "application/json", []);
    }

    // CDS Hooks: discovery, calls with and without prefetch (and a FHIR server nobody listens on), feedback.
    private static FuzzCase CdsHooksCase(Random random)
    {
        var service = random.Next(4) == 0 ? RandomSegment(random) : "fuzz-review";
        var template = random.Next(5) switch
        {
            0 => """{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/1","patientId":"1"},"prefetch":{"patient":""" + """{"resourceType":"Patient","id":"1","name":[{"family":"Adams","given":["Daniel"]}],"birthDate":"1925-12-23"}}}""",
            1 => """{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"fhirServer":"http://127.0.0.1:1/fhir","fhirAuthorization":{"access_token":"t","token_type":"Bearer"}}""",
            2 => """{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"fhirServer":"http://169.254.169.254/latest"}""",
            3 => """{"feedback":[{"card":"aud_x","outcome":"overridden","overrideReason":{"reason":{"code":"x"}},"outcomeTimestamp":"2026-01-01T00:00:00Z"}]}""",
            _ => """{"hook":"order-sign","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1","draftOrders":{"resourceType":"Bundle","entry":[]}}}""",
        };
        var body = Encoding.UTF8.GetBytes(template);
        for (var i = random.Next(0, 3); i > 0; i--)
        {
            body = Mutate(random, body);
        }

        return random.Next(6) switch
        {
            0 => new FuzzCase(HttpMethod.Get, "/cds-services", [], null, []),
            1 => new FuzzCase(HttpMethod.Post, $"/cds-services/{service}/feedback", body, "application/json", []),
            _ => new FuzzCase(HttpMethod.Post, $"/cds-services/{service}", body, random.Next(5) == 0 ? RandomAscii(random, 12) : "application/json", []),
        };
    }

    private static FuzzCase InvokeCase(Random random)
    {
        var useCase = random.Next(4) == 0 ? RandomSegment(random) : Uri.EscapeDataString(random.GetItems(UseCases, 1)[0]);
        var query = random.Next(3) switch
        {
            0 => "?audience=patient",
            1 => "?" + RandomQuery(random, ["audience", "_max_tokens", "_format", "discharge_disposition", "bogus"]),
            _ => string.Empty,
        };
        var template = random.Next(3) switch
        {
            0 => ValidBundle,
            1 => """{"bundle":""" + ValidBundle + ""","parameters":{"audience":"clinician"},"max_tokens":64}""",
            2 when random.Next(2) == 0 => """{"patient":"123","parameters":{"audience":"clinician"}}""",
            _ => """{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:x"},{"resource":{"resourceType":"NotAType"}}]}""",
        };
        var body = Encoding.UTF8.GetBytes(template);
        for (var i = random.Next(0, 3); i > 0; i--)
        {
            body = Mutate(random, body);
        }

        var contentType = random.Next(6) switch
        {
            0 => "application/json",
            1 => RandomAscii(random, 20),
            _ => "application/fhir+json",
        };
        return new FuzzCase(HttpMethod.Post, $"/v1/use-cases/{useCase}/invoke{query}", body, contentType, []);
    }

    private static byte[] Mutate(Random random, byte[] body)
    {
        if (body.Length == 0)
        {
            return "{"u8.ToArray();
        }

        var text = Encoding.UTF8.GetString(body);
        switch (random.Next(14))
        {
            case 0:
                return body[..random.Next(0, body.Length)];
            case 1:
                {
                    var copy = (byte[])body.Clone();
                    copy[random.Next(copy.Length)] = (byte)random.Next(256);
                    return copy;
                }

            case 2:
                {
                    var at = random.Next(body.Length);
                    byte[][] invalid = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]];
                    return [.. body[..at], .. random.GetItems(invalid, 1)[0], .. body[at..]];
                }

            case 3:
                return Encoding.UTF8.GetBytes(InsertIntoString(random, text, random.GetItems(["\\ud800", "\\udfff", "\\ud83d\\u0041", "\\u0000", "\\\\", "\\x41", "\\u12"], 1)[0]));
            case 4:
                return Encoding.UTF8.GetBytes(text.Replace("\"messages\":", "\"model\":\"a\",\"messages\":", StringComparison.Ordinal));
            case 5:
                {
                    var field = random.GetItems(["model", "messages", "temperature", "max_tokens", "stream", "tools", "tool_choice", "metadata", "seed", "stop", "n", "user", "response_format", "logit_bias", "top_p", "stream_options"], 1)[0];
                    var value = random.GetItems(["null", "true", "1e400", "-0", "1.5", "\"\"", "[]", "{}", "[[[]]]", "\"" + new string('x', 5000) + "\"", "99999999999999999999999", "{\"type\":\"xml\"}", "[{}]"], 1)[0];
                    return Encoding.UTF8.GetBytes(text.TrimEnd().TrimEnd('}') + $",\"{field}\":{value}}}");
                }

            case 6:
                {
                    var depth = random.Next(30, 300);
                    return Encoding.UTF8.GetBytes(text.TrimEnd().TrimEnd('}') + ",\"metadata\":" + new string('[', depth) + new string(']', depth) + "}");
                }

            case 7:
                {
                    var count = random.Next(900, 1300);
                    return Encoding.UTF8.GetBytes("{\"model\":\"summary\",\"messages\":[" + string.Join(',', Enumerable.Repeat("{\"role\":\"user\",\"content\":\"x\"}", count)) + "]}");
                }

            case 8:
                {
                    var fhir = random.GetItems(
                        [
                            "{\"resourceType\":null}", "{\"resourceType\":[\"Patient\"]}", "{\"resourceType\":7}", "{\"resourceType\":\"Frobnicator\"}",
                            "{\"resourceType\":\"Bundle\",\"entry\":[1,2,3]}", "{\"resourceType\":\"Patient\",\"birthDate\":\"yesterday\"}",
                            "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[" + string.Join(',', Enumerable.Repeat("{}", random.Next(1, 20_000))) + "]}",
                            "{\"resourceType\":\"Patient\"", "{\"resourceType\":\"DomainResource\"}", "{\"resourceType\":\"Observation\",\"valueQuantity\":{\"value\":\"NaN\"}}",
                        ],
                        1)[0];
                    return Encoding.UTF8.GetBytes(GatewayCalls.ChatBody("summary", fhir));
                }

            case 9:
                return random.GetItems<byte[]>([[], " "u8.ToArray(), "null"u8.ToArray(), "[]"u8.ToArray(), "\"x\""u8.ToArray(), "{}"u8.ToArray(), "{\"\":{}}"u8.ToArray()], 1)[0];
            case 10:
                return random.GetItems(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), random.Next(1, 2000));
            case 11:
                return Encoding.UTF8.GetBytes(InsertIntoString(random, text, RandomText(random, random.Next(1, 50))));
            case 12:
                return Encoding.UTF8.GetBytes(text.Replace("\"role\":\"user\"", "\"role\":\"" + random.GetItems(["tool", "function", "robot", "", "USER"], 1)[0] + "\"", StringComparison.Ordinal));
            default:
                return Encoding.UTF8.GetBytes(text + random.GetItems(["}", "]", ",", "{\"a\":1}", "\u0000"], 1)[0]);
        }
    }

    private static FuzzCase AdminCase(Random random)
    {
        var path = random.Next(6) switch
        {
            0 => "/admin/audit?" + RandomQuery(random, ["from", "to", "limit", "useCase", "app", "patient", "cursor", "x"]),
            1 => "/admin/audit/" + RandomSegment(random),
            2 => "/admin/audit/verify",
            3 => "/admin/use-cases/" + RandomSegment(random) + "/history",
            4 => "/admin/reviews?status=" + RandomSegment(random),
            _ => "/admin/incidents?useCase=" + RandomSegment(random),
        };
        return new FuzzCase(HttpMethod.Get, path, null, null, []);
    }

    private static FuzzCase FhirCase(Random random)
    {
        var path = random.Next(5) switch
        {
            0 => "/fhir/AuditEvent?" + RandomQuery(random, ["date", "_count", "patient", "_cursor", "_format", "date:missing", "patinet"]),
            1 => "/fhir/AuditEvent/" + RandomSegment(random),
            2 => "/fhir/Provenance/" + RandomSegment(random),
            3 => "/fhir/" + RandomSegment(random) + "?" + RandomQuery(random, ["_id", "date"]),
            _ => "/fhir/AuditEvent?date=" + random.GetItems(["", "eq", "lt", "le", "gt", "ge", "sa", "eb", "ne", "ap", "xx"], 1)[0] + RandomDate(random),
        };
        return new FuzzCase(HttpMethod.Get, path, null, null, []);
    }

    private static FuzzCase ClientReadCase(Random random)
    {
        var path = random.Next(5) switch
        {
            0 => "/v1/models",
            1 => "/v1/use-cases",
            2 => "/v1/use-cases/" + RandomSegment(random) + "/model-card",
            3 => "/v1/reviews/" + RandomSegment(random),
            _ => "/v1/" + RandomSegment(random),
        };
        return new FuzzCase(HttpMethod.Get, path, null, null, []);
    }

    private static FuzzCase ActionCase(Random random)
    {
        var body = random.GetItems(
            [
                "{\"reason\":\"Fuzzing the kill switch.\"}", "{\"reason\":42}", "{\"reason\":null}", "{}", "", "[", "{\"reason\":\"x\",\"reason\":\"y\"}",
                "{\"useCase\":\"summary\",\"severity\":\"high\",\"description\":\"x\"}", "{\"severity\":4}", "{\"comment\":\"\\ud800\"}", "{\"editedContent\":[]}",
            ],
            1)[0];
        var useCase = random.Next(3) == 0 ? RandomSegment(random) : random.GetItems(UseCases[..4], 1)[0];
        var path = random.Next(5) switch
        {
            0 => $"/admin/use-cases/{useCase}/{random.GetItems(Actions, 1)[0]}",
            1 => $"/admin/deployments/{random.GetItems(["local", "vendor", "nope", RandomSegment(random)], 1)[0]}/{random.GetItems(Actions, 1)[0]}",
            2 => $"/admin/reviews/{RandomSegment(random)}/{random.GetItems(Actions, 1)[0]}",
            3 => "/admin/incidents",
            _ => "/v1/incidents",
        };

        // Resuming a suspended use case with a retire in between is fine; the point is what each answer looks like.
        return new FuzzCase(HttpMethod.Post, path, Encoding.UTF8.GetBytes(body), random.Next(6) == 0 ? "text/plain" : "application/json", []);
    }

    private static string RandomQuery(Random random, string[] names)
    {
        var parts = new List<string>();
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            var name = random.GetItems(names, 1)[0];
            var value = random.Next(3) == 0 ? RandomDate(random) : random.GetItems(Garbage, 1)[0];
            parts.Add($"{name}={value}");
        }

        return string.Join('&', parts);
    }

    private static string RandomDate(Random random) => random.Next(6) switch
    {
        0 => $"{random.Next(0, 10000):D4}",
        1 => $"{random.Next(0, 10000):D4}-{random.Next(0, 14):D2}",
        2 => $"{random.Next(0, 10000):D4}-{random.Next(0, 14):D2}-{random.Next(0, 33):D2}",
        3 => $"{random.Next(0, 10000):D4}-{random.Next(1, 13):D2}-{random.Next(1, 29):D2}T{random.Next(0, 26):D2}:{random.Next(0, 61):D2}:{random.Next(0, 61):D2}Z",
        4 => "9999-12-31T23:59:59.9999999" + random.GetItems(["Z", "+14:00", "-14:00", ""], 1)[0],
        _ => random.GetItems(Garbage, 1)[0],
    };

    private static string RandomSegment(Random random) => random.Next(4) switch
    {
        0 => random.GetItems(Garbage, 1)[0] is { Length: > 0 } g ? g : "x",
        1 => "aud_" + RandomText(random, random.Next(1, 40)),
        2 => Uri.EscapeDataString(RandomText(random, random.Next(1, 600))),
        _ => "rev_" + Guid.NewGuid().ToString("N"),
    };

    private static string RandomText(Random random, int length)
    {
        const string Alphabet = "abcXYZ0189-_.~ !\"#$&'()*+,/:;<=>?@[]^`{|}é€☃\u202e\u0000\t";
        return new string(random.GetItems(Alphabet.ToCharArray(), length));
    }

    /// <summary>Printable ASCII only: HTTP header values outside it are refused by the client before they are sent.</summary>
    private static string RandomAscii(Random random, int length) =>
        new(random.GetItems(Enumerable.Range(0x20, 0x5F).Select(c => (char)c).ToArray(), length));

    private static string InsertIntoString(Random random, string json, string insert)
    {
        var quotes = Enumerable.Range(0, json.Length).Where(i => json[i] == '"').ToList();
        if (quotes.Count == 0)
        {
            return json + insert;
        }

        var at = quotes[random.Next(quotes.Count)] + 1;
        return json[..at] + insert + json[at..];
    }

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;

    private sealed record FuzzCase(HttpMethod Method, string Path, byte[]? Body, string? ContentType, List<(string Name, string Value)> Headers)
    {
        public int Index { get; init; }

        public string? Key { get; init; }

        public string? Traceparent { get; init; }

        public string? TraceId { get; init; }

        public bool Authenticated { get; init; }

        public HttpRequestMessage ToRequest()
        {
            var request = new HttpRequestMessage(Method, new Uri(Path, UriKind.Relative));
            if (Body is not null)
            {
                request.Content = new ByteArrayContent(Body);
                if (ContentType is not null && MediaTypeHeaderValue.TryParse(ContentType, out var type))
                {
                    request.Content.Headers.ContentType = type;
                }
                else if (ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }
            }

            if (Key is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Key);
            }

            if (Traceparent is not null)
            {
                request.Headers.TryAddWithoutValidation("traceparent", Traceparent);
            }

            foreach (var (name, value) in Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            return request;
        }

        public string Describe() => $"{Method} {Truncate(Path)} key={(Key is null ? "none" : Key.Length > 20 ? "garbage" : Key)} body={(Body is null ? "none" : Truncate(Encoding.UTF8.GetString(Body)))}";
    }
}
