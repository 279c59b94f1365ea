using System.Text;
using BenchmarkDotNet.Attributes;
using XefAI.Data;
using XefAI.Data.Deidentification;

namespace XefAI.Gateway.Benchmarks;

/// <summary>
/// The free-text de-identifier on one core: the two messages of bench/wrk/chat.json through one protection, as the
/// gateway protects a chat call; a 5 KB discharge note, a 100 KB chart (the note's kind of text, 20 times with different
/// people), and 1 MB built to make a backtracking matcher blow up. Throughput = size / mean.
/// </summary>
[MemoryDiagnoser]
public class DeidentifierBenchmarks
{
    private const string Note = """
        DISCHARGE SUMMARY
        Patient: {0}, {1}    MRN: 0048{2:D4}    DOB: 03/{3:D2}/1956    Acct #: 77819{2:D4}
        Admission Date: 2024-03-14    Discharge Date: March 18th, 2024
        Attending: Dr. Rajesh Patel, MD    PCP: Dr. Susan Whitaker
        Address: {2} Elm Street, Apt 4B, Springfield, IL 62704. Phone (217) 555-{2:D4}, fax 217.555.0199.

        HISTORY OF PRESENT ILLNESS: Ms. {0} is a 68-year-old woman with Parkinson disease, type 2 diabetes, CKD stage 3 and
        Hodgkin lymphoma in remission who presented to the ED on 3/12 with two days of progressive shortness of breath,
        orthopnea and bilateral leg swelling. Her daughter {4} {0} brought her in and reports she had been missing doses of
        furosemide. In the ED, BP 162/94, HR 104, RR 24, SpO2 88% on room air improving to 95% on 4L NC. CXR showed
        bilateral pleural effusions and pulmonary vascular congestion. BNP 1840 pg/mL, troponin 0.04 ng/mL, Na 134 mmol/L,
        K 5.1 mmol/L, Cr 1.9 mg/dL (baseline 1.4), HbA1c 8.1%.

        HOSPITAL COURSE: Treated with IV furosemide 40 mg BID with net negative 4.2 L over 72 hours. Metoprolol succinate
        25 mg daily was continued and lisinopril was held for AKI, restarted at 5 mg daily on discharge. Echo on 03/15/2024
        showed EF 35% with moderate MR. Cardiology (Dr. Nguyen) recommended outpatient titration of GDMT. Seen by Will
        Brown, RN for diabetes teaching. Insulin glargine 18 units qHS plus sliding scale lispro. GCS 15 throughout.

        DISCHARGE MEDICATIONS: furosemide 40 mg PO daily; metoprolol succinate 25 mg PO daily; lisinopril 5 mg PO daily;
        insulin glargine 18 units SC qHS; atorvastatin 40 mg PO qHS; carbidopa-levodopa 25/100 one tab PO TID.

        FOLLOW-UP: Dr. Whitaker on 3/28 at 10:30; cardiology clinic in 2 weeks; BMP in 1 week. Call 217-555-0134 with
        weight gain over 2 lb in a day. Portal: https://mychart.example.org/visit. Email {5}@example.org.
        Pain 3/10, strength 5/5 all extremities, Apgar not applicable. Her mother died at 94 years old of Alzheimer dementia.

        """;

    // The messages of bench/wrk/chat.json, the body the gateway's wrk benchmark sends.
    private const string ChatSystem = "You write clear, kind messages to patients at a sixth-grade reading level.";

    private const string ChatUser =
        "Please draft a short, friendly message to the patient. Context: Maria Gonzalez (MRN 00482913, born 04/17/1961) was seen on "
        + "11/02/2026 by Dr. Alan Whitfield for follow-up of type 2 diabetes and hypertension. HbA1c improved from 8.1% to 7.2%. "
        + "Continue metformin 1000 mg twice daily and lisinopril 10 mg daily. Recheck labs in three months and call 555-201-3344 with "
        + "any questions.";

    private static readonly string[] Surnames = ["Lopez", "Okonkwo", "Nguyen", "Kowalczyk", "Haddad", "O'Brien", "Ramanathan", "Fitzgerald", "Abernathy", "Yamamoto"];
    private static readonly string[] Given = ["Maria", "Chidi", "Thanh", "Agnieszka", "Layla", "Siobhan", "Priya", "Eleanor", "Margaret", "Keiko"];

    private SafeHarborDataProtector _protector = null!;

    [ParamsSource(nameof(Texts))]
    public string Text { get; set; } = string.Empty;

    public static IEnumerable<string> Texts() => ["chat-500B", "note-5KB", "chart-100KB", "adversarial-1MB"];

    private string _input = string.Empty;

    // Protected first, with the same protection, when set: a chat call's system message.
    private string _system = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _protector = new SafeHarborDataProtector(new StaticOptions());
        _system = Text == "chat-500B" ? ChatSystem : string.Empty;
        _input = Text switch
        {
            "chat-500B" => ChatUser,
            "note-5KB" => Pad(NoteFor(0), 5 * 1024),
            "chart-100KB" => Pad(string.Concat(Enumerable.Range(0, 60).Select(NoteFor)), 100 * 1024),
            _ => Adversarial(1024 * 1024),
        };
    }

    [Benchmark]
    public string Protect()
    {
        var protection = _protector.Begin(ClinicalContext.Empty);
        if (_system.Length > 0)
        {
            _ = protection.Protect(_system);
        }

        return protection.Protect(_input);
    }

    private static string NoteFor(int i) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, Note, Surnames[i % 10], Given[i % 10], 100 + i, 1 + (i % 28), Given[(i + 3) % 10], Given[i % 10].ToLowerInvariant());

    private static string Pad(string text, int size) => text.Length >= size ? text[..size] : Pad(text + text, size);

    /// <summary>Long runs of what patterns look for: digits and separators, '@' and dots, titles, brackets, one huge token.</summary>
    internal static string Adversarial(int size)
    {
        var builder = new StringBuilder(size);
        string[] pieces = ["1-1-1-1-1-1-1-1-", "a.a.a.a.a.a.a@", "Dr. Dr. Mr. Ms. ", "[[[[NAME_", "(((617)))", "9/9/9/9/9/", "www.www.", new string('x', 4096)];
        var i = 0;
        while (builder.Length < size)
        {
            builder.Append(pieces[i++ % pieces.Length]);
        }

        return builder.ToString(0, size);
    }

    private sealed class StaticOptions : Microsoft.Extensions.Options.IOptionsMonitor<XefAI.Data.Configuration.DataOptions>
    {
        private readonly XefAI.Data.Configuration.DataOptions _value = new() { PseudonymSalt = "benchmark-salt-0123456789" };

        public XefAI.Data.Configuration.DataOptions CurrentValue => _value;

        public XefAI.Data.Configuration.DataOptions Get(string? name) => _value;

        public IDisposable? OnChange(Action<XefAI.Data.Configuration.DataOptions, string?> listener) => null;
    }
}
