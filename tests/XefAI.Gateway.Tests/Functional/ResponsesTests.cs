#pragma warning disable OPENAI001 // The SDK marks its Responses client experimental; the API it calls is OpenAI's stable one.
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI.Responses;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// <c>POST /v1/responses</c> end to end with the official OpenAI .NET SDK's Responses client: governed and sent to the
/// vendor as a chat call, answered as a response object or its stream of semantic events, and audited.
/// </summary>
public sealed class ResponsesTests
{
    private const string OpenAIStream =
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n" +
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n" +
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there!\"},\"finish_reason\":null}]}\n\n" +
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n\n" +
        "data: [DONE]\n\n";

    [Fact]
    public async Task Create_OfficialSdk_GetsTheVendorsAnswerAsAResponseAndTheCallIsAudited()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Take it with food."));
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var http = new HttpClient();
        var client = Client(host, http);

        var result = await client.CreateResponseAsync(new CreateResponseOptions(
            "vendor-chat", [ResponseItem.CreateUserMessageItem("How should I take metformin?")]) { Instructions = "Answer in one sentence." });

        var response = result.Value;
        Assert.Equal("Take it with food.", response.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.StartsWith("resp_", response.Id, StringComparison.Ordinal);
        Assert.Equal(10, response.Usage.InputTokenCount);
        Assert.Equal(5, response.Usage.OutputTokenCount);

        // The vendor got the chat form: the instructions as the system message, the SDK's input_text part as a text part.
        var sent = vendor.LastRequestBody;
        Assert.Equal("system", (string?)sent["messages"]![0]!["role"]);
        Assert.Equal("Answer in one sentence.", (string?)sent["messages"]![0]!["content"]);
        Assert.Equal("How should I take metformin?", (string?)sent["messages"]![1]!["content"]![0]!["text"]);

        var record = await host.GetAuditRecordAsync(result.GetRawResponse().Headers.TryGetValue("X-XefAI-Audit-Id", out var id) ? id! : throw new InvalidOperationException("no audit id"));
        Assert.Equal("answered", (string?)record["decision"]);
        Assert.Equal("vendor-chat", (string?)record["useCase"]);
    }

    [Fact]
    public async Task CreateStreaming_OfficialSdk_ReadsTheDeltasAndTheCompletedResponseWithUsage()
    {
        using var vendor = new FakeVendor().StreamsEvents(OpenAIStream);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var http = new HttpClient();
        var client = Client(host, http);

        var text = new StringBuilder();
        ResponseResult? completed = null;
        var sequence = new List<int>();
        await foreach (var update in client.CreateResponseStreamingAsync(new CreateResponseOptions("vendor-chat", [ResponseItem.CreateUserMessageItem("Hi")]) { StreamingEnabled = true }))
        {
            sequence.Add(update.SequenceNumber);
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                text.Append(delta.Delta);
            }
            else if (update is StreamingResponseCompletedUpdate done)
            {
                completed = done.Response;
            }
        }

        Assert.Equal("Hello there!", text.ToString());
        Assert.NotNull(completed);
        Assert.Equal("Hello there!", completed.GetOutputText());
        Assert.Equal(9, completed.Usage.InputTokenCount);
        Assert.Equal(2, completed.Usage.OutputTokenCount);
        Assert.Equal(Enumerable.Range(0, sequence.Count), sequence);
        Assert.True((bool)vendor.LastRequestBody["stream"]!);
        Assert.True((bool)vendor.LastRequestBody["stream_options"]!["include_usage"]!);
    }

    [Theory]
    [InlineData("""{"model":"vendor-chat","input":"Hi","previous_response_id":"resp_123"}""", "unsupported_parameter", "previous_response_id")]
    [InlineData("""{"model":"vendor-chat","input":"Hi","max_output_tokens":-1}""", "invalid_value", "max_output_tokens")]
    [InlineData("""{"model":"vendor-chat","input":[{"role":"user","content":"a"},{"role":"wizard","content":"b"}]}""", "invalid_value", "input[1].role")]
    [InlineData("""{"model":"vendor-chat","instructions":"x","input":[{"role":"user","content":[{"type":"input_image","image_url":7}]}]}""", "unsupported_value", "input[0].content[0].image_url")]
    public async Task Create_BadRequest_400NamesTheResponsesFieldAndNothingReachesTheVendor(string body, string code, string param)
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", GatewayHost.ClientKey);
        using var answer = await client.SendAsync(request);

        Assert.Equal(400, (int)answer.StatusCode);
        var error = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(param, (string?)error["param"]);
        Assert.Equal(code, (string?)error["code"]);
        Assert.Contains(param, (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
    }

    private static ResponsesClient Client(GatewayHost host, HttpClient http) =>
        new(new ApiKeyCredential(GatewayHost.ClientKey), new ResponsesClientOptions { Endpoint = new Uri(host.Address, "/v1"), Transport = new HttpClientPipelineTransport(http) });
}
