using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace XefAI.Testing;

/// <summary>
/// A collector for tests: OTLP/HTTP protobuf on a loopback port (<c>POST /v1/traces</c>), keeping every body exactly as
/// received, and decoding the spans in them with <see cref="OtlpSpans"/>.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<byte[]> _bodies = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base address, as OTEL_EXPORTER_OTLP_ENDPOINT is given.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Every export request's body, as received.</summary>
    public IReadOnlyList<byte[]> Bodies => _bodies.ToArray();

    /// <summary>Every span received so far.</summary>
    public IReadOnlyList<OtlpSpan> Spans => Bodies.SelectMany(OtlpSpans.Read).ToList();

    /// <summary>Whether any body received holds <paramref name="text"/> in UTF-8.</summary>
    public bool Received(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        return Bodies.Any(b => b.AsSpan().IndexOf(needle) >= 0);
    }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            receiver._bodies.Enqueue(body.ToArray());

            // An empty ExportTraceServiceResponse: everything accepted.
            context.Response.ContentType = "application/x-protobuf";
            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        await app.StartAsync();
        receiver.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One span as OTLP carried it: ids in hex, kind as OTLP numbers it (2 server, 3 client), string and integer attributes.</summary>
public sealed record OtlpSpan(
    string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, IReadOnlyDictionary<string, string> Attributes)
{
    public string? this[string attribute] => Attributes.TryGetValue(attribute, out var value) ? value : null;
}

/// <summary>
/// Just enough of the protobuf wire format to read spans out of an ExportTraceServiceRequest
/// (opentelemetry/proto/collector/trace/v1): resource_spans(1) → scope_spans(2) → scope(1).name(1), spans(2) → trace_id(1),
/// span_id(2), parent_span_id(4), name(5), kind(6), attributes(9) → key(1), value(2) → string(1) | bool(2) | int(3).
/// </summary>
public static class OtlpSpans
{
    public static IEnumerable<OtlpSpan> Read(byte[] request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var (_, resourceSpans) in Fields(request, 1))
        {
            foreach (var (_, scopeSpans) in Fields(resourceSpans, 2))
            {
                var scope = Fields(scopeSpans, 1).Select(f => Text(Fields(f.Value, 1).FirstOrDefault().Value)).FirstOrDefault() ?? string.Empty;
                foreach (var (_, span) in Fields(scopeSpans, 2))
                {
                    spans.Add(ReadSpan(scope, span));
                }
            }
        }

        return spans;
    }

    private static OtlpSpan ReadSpan(string scope, ReadOnlyMemory<byte> span)
    {
        string traceId = string.Empty, spanId = string.Empty, parent = string.Empty, name = string.Empty;
        var kind = 0;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, value, number) in AllFields(span))
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value.Span); break;
                case 2: spanId = Convert.ToHexStringLower(value.Span); break;
                case 4: parent = Convert.ToHexStringLower(value.Span); break;
                case 5: name = Text(value); break;
                case 6: kind = (int)number; break;
                case 9:
                    var key = Text(Fields(value, 1).FirstOrDefault().Value);
                    var any = Fields(value, 2).FirstOrDefault().Value;
                    foreach (var (valueField, valueBytes, valueNumber) in AllFields(any))
                    {
                        attributes[key] = valueField switch
                        {
                            1 => Text(valueBytes),
                            2 => valueNumber != 0 ? "true" : "false",
                            3 => ((long)valueNumber).ToString(System.Globalization.CultureInfo.InvariantCulture),
                            _ => "?",
                        };
                    }

                    break;
            }
        }

        return new OtlpSpan(scope, traceId, spanId, parent, name, kind, attributes);
    }

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    private static IEnumerable<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlyMemory<byte> message, int field) =>
        AllFields(message).Where(f => f.Field == field).Select(f => (f.Field, f.Bytes));

    /// <summary>Every field of a message: length-delimited ones as their bytes, varints and fixed ones as a number.</summary>
    private static List<(int Field, ReadOnlyMemory<byte> Bytes, ulong Number)> AllFields(ReadOnlyMemory<byte> message)
    {
        var fields = new List<(int, ReadOnlyMemory<byte>, ulong)>();
        var data = message.Span;
        var position = 0;
        while (position < data.Length)
        {
            var tag = Varint(data, ref position);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    fields.Add((field, ReadOnlyMemory<byte>.Empty, Varint(data, ref position)));
                    break;
                case 1:
                    fields.Add((field, message.Slice(position, 8), BitConverter.ToUInt64(data.Slice(position, 8))));
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(data, ref position);
                    fields.Add((field, message.Slice(position, length), 0));
                    position += length;
                    break;
                case 5:
                    fields.Add((field, message.Slice(position, 4), BitConverter.ToUInt32(data.Slice(position, 4))));
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {tag & 7} at byte {position} is not protobuf this reader knows.");
            }
        }

        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
