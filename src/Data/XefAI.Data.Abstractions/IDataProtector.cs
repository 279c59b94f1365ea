namespace XefAI.Data;

/// <summary>
/// Takes PHI out of what leaves the gateway for a model vendor, and puts it back into the answer where the tier allows
/// (the "protect data" and "restore data" steps of the pipeline). One <see cref="IDataProtection"/> per call holds the
/// reversible tokens of that call only.
/// </summary>
public interface IDataProtector
{
    /// <summary>Name for the audit trail and logs, e.g. <c>pass-through</c> or <c>safe-harbor</c>.</summary>
    string Name { get; }

    /// <summary>True when this protector really removes identifiers; policies rely on it before PHI may reach a vendor without a BAA.</summary>
    bool DeIdentifies { get; }

    /// <summary>
    /// Every kind <see cref="IDataProtection.ReplacementsByKind"/> may report (lower-case), so the metrics can show each
    /// at zero before its first value; empty when the protector replaces nothing.
    /// </summary>
    IReadOnlyList<string> Kinds => [];

    /// <summary>Starts the protection of one call, knowing the clinical context (the patient's own identifiers among others).</summary>
    IDataProtection Begin(ClinicalContext context);

    /// <summary>
    /// As <see cref="Begin(ClinicalContext)"/>, for a call of the client app <paramref name="appId"/>. Whatever a protector
    /// remembers from one call to the next (a text it found clean, to skip scanning it again) it keeps per app, so that
    /// one app cannot tell from the timing of its own calls what another app recently sent.
    /// </summary>
    IDataProtection Begin(ClinicalContext context, string appId) => Begin(context);
}

/// <summary>The protection of one call: what was replaced by which token, kept for this call only.</summary>
public interface IDataProtection
{
    /// <summary>How many values were replaced so far.</summary>
    int Replacements { get; }

    /// <summary>
    /// How many values of each kind were replaced so far, by the lower-case kind of their token (<c>name</c>,
    /// <c>date</c>, <c>phone</c>…); kinds with none are absent. Counts only, never values.
    /// </summary>
    IReadOnlyDictionary<string, int> ReplacementsByKind { get; }

    /// <summary>
    /// Reads the texts of one conversation before any of them is protected, so that a name a later text reveals ("Thanks,
    /// Jonathan Quixley") is found in the earlier ones too ("Quixley here again about the refill"). Nothing is replaced or
    /// counted. By default, nothing is read.
    /// </summary>
    /// <exception cref="DeIdentificationException">A text cannot be de-identified; none of it may leave.</exception>
    void ReadAhead(IReadOnlyList<string> texts)
    {
    }

    /// <summary>The text as a vendor may see it.</summary>
    /// <exception cref="DeIdentificationException">The text cannot be de-identified; none of it may leave.</exception>
    string Protect(string text);

    /// <summary>
    /// The text with this call's tokens replaced by the values they stand for. A token this call never issued is
    /// left as it is.
    /// </summary>
    string Restore(string text);
}

/// <summary>
/// Text could not be de-identified (too large, not text, a form the de-identifier cannot read), so it must not be sent.
/// The message says why in general terms and never quotes the text.
/// </summary>
public sealed class DeIdentificationException : Exception
{
    public DeIdentificationException()
    {
    }

    public DeIdentificationException(string message)
        : base(message)
    {
    }

    public DeIdentificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Sends text as it is: the protector in force until a de-identifier is plugged in.</summary>
public sealed class PassThroughDataProtector : IDataProtector, IDataProtection
{
    public string Name => "pass-through";

    public bool DeIdentifies => false;

    public int Replacements => 0;

    public IReadOnlyDictionary<string, int> ReplacementsByKind { get; } = new Dictionary<string, int>();

    /// <remarks>Stateless, so one instance serves every call.</remarks>
    public IDataProtection Begin(ClinicalContext context) => this;

    public string Protect(string text) => text;

    public string Restore(string text) => text;
}
