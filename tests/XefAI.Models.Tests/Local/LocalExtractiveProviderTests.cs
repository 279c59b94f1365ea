using System.Text.Json.Nodes;
using XefAI.Models.Providers.Local;
using XefAI.Models.Tests.Support;

namespace XefAI.Models.Tests.Local;

public sealed class LocalExtractiveProviderTests
{
    private const string LabelLine = "[xefai-local-extractive: deterministic extractive summary, not a language model]";

    private static readonly DateTimeOffset Now = new(2024, 3, 6, 14, 0, 0, TimeSpan.Zero);

    private readonly LocalExtractiveProvider _provider = new(new FixedTimeProvider(Now));

    [Fact]
    public void Kind_IsLocal() => Assert.Equal("local", _provider.Kind);

    [Fact]
    public async Task CompleteAsync_DischargeNote_LabelsItselfAndPicksClinicalSentencesInNoteOrder()
    {
        var request = TestRequests.ForMessages(
        [
            new("system", "You are a clinical documentation assistant. Be concise."),
            new("user", DischargeNotes.Pneumonia),
        ]);

        var response = await _provider.CompleteAsync(request, CancellationToken.None);

        Assert.Equal(
            """
            [xefai-local-extractive: deterministic extractive summary, not a language model]
            Key sentences:
            - HISTORY OF PRESENT ILLNESS: The patient presented to the emergency department with three days of productive cough, fever and shortness of breath.
            - He was started on ceftriaxone 1 g IV daily and azithromycin 500 mg daily.
            - Blood glucose was elevated on admission at 287 mg/dL and was managed with sliding-scale insulin.
            - DISCHARGE DIAGNOSES: Community-acquired pneumonia, right lower lobe; Type 2 diabetes mellitus, uncontrolled; Hypertension
            - DISCHARGE MEDICATIONS: Amoxicillin-clavulanate 875 mg twice daily for 5 days; Metformin 1000 mg twice daily; Lisinopril 10 mg daily
            """,
            response.Content);
        Assert.DoesNotContain("enjoyed the view", response.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("documentation assistant", response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_DischargeNote_ReturnsChatCompletionWithWordCountUsage()
    {
        var request = TestRequests.ForMessages([new("system", "Be concise."), new("user", DischargeNotes.Pneumonia)]);

        var response = await _provider.CompleteAsync(request, CancellationToken.None);

        Assert.Equal("xefai-local-extractive", response.Model);
        Assert.Equal("stop", response.FinishReason);
        Assert.Equal(2 + DischargeNotes.Pneumonia.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length, response.Usage!.InputTokens);
        Assert.Equal(response.Content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length, response.Usage.OutputTokens);
        Assert.Equal("chat.completion", (string?)response.Completion["object"]);
        Assert.Equal(Now.ToUnixTimeSeconds(), (long?)response.Completion["created"]);
        Assert.Equal("xefai-local-extractive", (string?)response.Completion["model"]);
        Assert.Equal(response.Content, (string?)response.Completion["choices"]![0]!["message"]!["content"]);
        Assert.Equal("assistant", (string?)response.Completion["choices"]![0]!["message"]!["role"]);
        Assert.Equal(response.Usage.TotalTokens, (int?)response.Completion["usage"]!["total_tokens"]);
        Assert.Matches("^chatcmpl-local-[0-9a-f]{16}$", (string?)response.Completion["id"]);
    }

    [Fact]
    public async Task CompleteAsync_SameRequestTwice_ReturnsEqualCompletions()
    {
        var first = await _provider.CompleteAsync(TestRequests.ForMessages([new("user", DischargeNotes.Pneumonia)]), CancellationToken.None);
        var second = await new LocalExtractiveProvider(new FixedTimeProvider(Now))
            .CompleteAsync(TestRequests.ForMessages([new("user", DischargeNotes.Pneumonia)]), CancellationToken.None);

        Assert.Equal(first.Completion.ToJsonString(), second.Completion.ToJsonString());
    }

    [Fact]
    public async Task CompleteAsync_DifferentText_ReturnsDifferentId()
    {
        var first = await _provider.CompleteAsync(TestRequests.ForMessages([new("user", DischargeNotes.Pneumonia)]), CancellationToken.None);
        var second = await _provider.CompleteAsync(TestRequests.ForMessages([new("user", DischargeNotes.Pneumonia + " ")]), CancellationToken.None);

        Assert.NotEqual((string?)first.Completion["id"], (string?)second.Completion["id"]);
    }

    [Fact]
    public async Task CompleteAsync_EqualScores_EarlierSentenceWins()
    {
        var response = await _provider.CompleteAsync(
            TestRequests.ForMessages([new("user", "Alpha beta. Gamma delta. Epsilon zeta.")]),
            CancellationToken.None);

        Assert.Equal($"{LabelLine}\nKey sentences:\n- Alpha beta.", response.Content);
    }

    [Fact]
    public async Task CompleteAsync_ContextFacts_GroupsInClinicalOrderWithObservationsNewestFirst()
    {
        ContextFact[] facts =
        [
            new("Observation", "Hemoglobin A1c 8.1 %", "2024-01-15"),
            new("MedicationRequest", "Metformin 1000 mg twice daily", Status: "active"),
            new("Condition", "Type 2 diabetes mellitus", "2019-03-02", "active"),
            new("Observation", "Smoking status: former smoker"),
            new("Observation", "Blood pressure 148/92 mmHg", "2024-03-06T08:30:00Z"),
            new("Patient", "Male, 67 years"),
            new("AllergyIntolerance", "Penicillin, hives", Status: "active"),
            new("Observation", "Creatinine 1.1 mg/dL", "2024-03"),
            new("Immunization", "Influenza vaccine", "2023-10-01"),
            new("Condition", "Essential hypertension", "2015", "active"),
            new("Encounter", "Inpatient admission for pneumonia", "2024-03-02", "finished"),
            new("Condition", "Type 2 diabetes mellitus", "2019-03-02", "active"),
            new("DocumentReference", "Discharge summary", "2024-03-06"),
            new("Procedure", "Chest x-ray", "2024-03-02", "completed"),
            new("DiagnosticReport", "Complete blood count", "2024-03-03", "final"),
        ];
        var request = TestRequests.ForMessages([new("user", "Summarize this patient.")], new ModelContext(facts, []));

        var response = await _provider.CompleteAsync(request, CancellationToken.None);

        Assert.Equal(
            """
            [xefai-local-extractive: deterministic extractive summary, not a language model]
            Patient (1): Male, 67 years
            Problems (2): Type 2 diabetes mellitus (active, 2019-03-02); Essential hypertension (active, 2015)
            Allergies (1): Penicillin, hives (active)
            Medications (1): Metformin 1000 mg twice daily (active)
            Recent observations (4): Blood pressure 148/92 mmHg (2024-03-06T08:30:00Z); Creatinine 1.1 mg/dL (2024-03); Hemoglobin A1c 8.1 % (2024-01-15); Smoking status: former smoker
            Procedures (1): Chest x-ray (completed, 2024-03-02)
            Encounters (1): Inpatient admission for pneumonia (finished, 2024-03-02)
            Diagnostic reports (1): Complete blood count (final, 2024-03-03)
            Notes (1): Discharge summary (2024-03-06)
            Immunization (1): Influenza vaccine (2023-10-01)
            """,
            response.Content);
    }

    [Fact]
    public async Task CompleteAsync_MoreThanEightFactsInGroup_ListsEightAndCountsTheRest()
    {
        var facts = Enumerable.Range(1, 11)
            .Select(day => new ContextFact("Observation", $"Glucose {100 + day} mg/dL", $"2024-03-{day:00}"))
            .ToArray();
        var request = TestRequests.ForMessages([], new ModelContext(facts, []));

        var response = await _provider.CompleteAsync(request, CancellationToken.None);

        Assert.Equal(
            $"{LabelLine}\nRecent observations (11): "
            + "Glucose 111 mg/dL (2024-03-11); Glucose 110 mg/dL (2024-03-10); Glucose 109 mg/dL (2024-03-09); "
            + "Glucose 108 mg/dL (2024-03-08); Glucose 107 mg/dL (2024-03-07); Glucose 106 mg/dL (2024-03-06); "
            + "Glucose 105 mg/dL (2024-03-05); Glucose 104 mg/dL (2024-03-04) (+3 more)",
            response.Content);
    }

    [Fact]
    public async Task CompleteAsync_FactsAndFreeText_SummarizesFreeTextNotTheUserInstruction()
    {
        var context = new ModelContext(
            [new ContextFact("Condition", "Community-acquired pneumonia", "2024-03-02", "active")],
            ["Oxygen saturation improved to 96% on room air. The patient enjoyed lunch."]);
        var request = TestRequests.ForMessages([new("user", "Please draft the discharge summary for this patient.")], context);

        var response = await _provider.CompleteAsync(request, CancellationToken.None);

        Assert.Equal(
            $"{LabelLine}\nProblems (1): Community-acquired pneumonia (active, 2024-03-02)\n\n"
            + "Key sentences:\n- Oxygen saturation improved to 96% on room air.",
            response.Content);
    }

    [Fact]
    public async Task CompleteAsync_FactsOnly_DoesNotSummarizeTheUserInstruction()
    {
        var context = new ModelContext([new ContextFact("AllergyIntolerance", "Penicillin")], []);
        var request = TestRequests.ForMessages([new("user", "Summarize the allergies of this patient.")], context);

        var response = await _provider.CompleteAsync(request, CancellationToken.None);

        Assert.Equal($"{LabelLine}\nAllergies (1): Penicillin", response.Content);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CompleteAsync_NothingToSummarize_SaysSo(bool withSystemMessage)
    {
        IReadOnlyList<ChatMessage> messages = withSystemMessage ? [new("system", "Summarize the note the user sends.")] : [];

        var response = await _provider.CompleteAsync(TestRequests.ForMessages(messages), CancellationToken.None);

        Assert.Equal($"{LabelLine}\nNothing to summarize: the request carried no clinical facts and no text.", response.Content);
        Assert.Equal("stop", response.FinishReason);
    }

    [Fact]
    public async Task CompleteAsync_MaxTokensBelowAnswerLength_TruncatesToThatManyWords()
    {
        var request = TestRequests.ForMessages([new("user", DischargeNotes.Pneumonia)], maxTokens: 20);

        var response = await _provider.CompleteAsync(request, CancellationToken.None);

        Assert.Equal(
            $"{LabelLine}\nKey sentences:\n- HISTORY OF PRESENT ILLNESS: The patient presented to the",
            response.Content);
        Assert.Equal("length", response.FinishReason);
        Assert.Equal(20, response.Usage!.OutputTokens);
        Assert.Equal("length", (string?)response.Completion["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public async Task CompleteAsync_MaxTokensAboveAnswerLength_FinishesWithStop()
    {
        var request = TestRequests.ForMessages([new("user", "Blood pressure was 150/90 mmHg.")], maxTokens: 1000);

        var response = await _provider.CompleteAsync(request, CancellationToken.None);

        Assert.Equal($"{LabelLine}\nKey sentences:\n- Blood pressure was 150/90 mmHg.", response.Content);
        Assert.Equal("stop", response.FinishReason);
    }

    [Fact]
    public async Task CompleteAsync_CancelledToken_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(
            async () => await _provider.CompleteAsync(TestRequests.ForMessages([new("user", "Hi.")]), cancellation.Token));
    }

    [Theory]
    [InlineData("json_object")]
    [InlineData("json_schema")]
    public async Task CompleteAsync_JsonResponseFormat_IsRefusedNamingTheFieldNotAnsweredInProse(string type)
    {
        // The SDKs' parse helpers read a JSON answer when they asked for one; the extractive summary is prose.
        var request = TestRequests.ForMessages([new("user", DischargeNotes.Pneumonia)]) with
        {
            Body = JsonNode.Parse("""{"model":"discharge-summary","response_format":{"type":"TYPE","json_schema":{"name":"n","schema":{"type":"object"}}}}""".Replace("TYPE", type, StringComparison.Ordinal))!.AsObject(),
        };

        var refused = await Assert.ThrowsAsync<UnsupportedRequestException>(async () => await _provider.CompleteAsync(request, CancellationToken.None));

        Assert.Equal("response_format", refused.Param);
        Assert.Contains(type, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_TextResponseFormat_IsAnswered()
    {
        var request = TestRequests.ForMessages([new("user", DischargeNotes.Pneumonia)]) with
        {
            Body = JsonNode.Parse("""{"model":"discharge-summary","response_format":{"type":"text"}}""")!.AsObject(),
        };

        var response = await _provider.CompleteAsync(request, CancellationToken.None);

        Assert.StartsWith(LabelLine, response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_Completion_IsValidForTheOpenAIReader()
    {
        var response = await _provider.CompleteAsync(TestRequests.ForMessages([new("user", DischargeNotes.Pneumonia)]), CancellationToken.None);

        var reread = new Providers.OpenAI.OpenAIProvider().ReadResponse(
            TestRequests.ForBody("{}"),
            new VendorHttpResponse(200, System.Text.Encoding.UTF8.GetBytes(response.Completion.ToJsonString()), "application/json"));

        Assert.Equal(response.Content, reread.Content);
        Assert.Equal(response.Usage, reread.Usage);
        Assert.True(JsonNode.DeepEquals(response.Completion, reread.Completion));
    }
}
