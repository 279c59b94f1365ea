using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 24, on sentences written for this test: e-mail addresses with a quoted local part, the user's folder in a file
/// path, names, dates and addresses percent-encoded or '+'-spaced in a link's query, and a given name before a quoted
/// nickname or a surname joined across an apostrophe or hyphen; and the words that stay.
/// </summary>
public sealed class PhiScannerGap24Tests
{
    [Theory]
    [InlineData("Reply to \"john\\\\doe\"@example.com about the MRI.", "\"john\\\\doe\"@example.com")]
    [InlineData("Reply to \"John Smith\"@example.org about the MRI.", "\"John Smith\"@example.org")]
    [InlineData("Her address is \"mary.o'neil\"@mail.example.net today.", "\"mary.o'neil\"@mail.example.net")]
    public void Scan_EmailWithQuotedLocalPart_IsOneEmail(string text, string email)
    {
        AssertMarked(text, email, PhiKind.Email);
        var start = text.IndexOf(email, StringComparison.Ordinal);
        Assert.Contains(Scan(text), s => s.Kind == PhiKind.Email && s.Start == start && s.Length == email.Length);
    }

    [Theory]
    [InlineData("Saved at C:\\Users\\jsmith\\Documents\\note.docx yesterday.", "jsmith")]
    [InlineData("Log in /home/kpatel/ and check the export.", "kpatel")]
    [InlineData("Copied to /Users/mgonzalez/Desktop/labs.pdf for review.", "mgonzalez")]
    [InlineData("Share \\\\server\\home$\\jdoe2\\scans for him.", "jdoe2")]
    [InlineData("Path \"C:\\\\Users\\\\rnakamura\\\\Desktop\" in the JSON.", "rnakamura")]
    public void Scan_UserFolderInPath_IsMarkedAsId(string text, string user) =>
        AssertMarked(text, user, PhiKind.Id);

    [Theory]
    [InlineData("See C:\\Users\\Public\\Documents for the consent form.", "Public")]
    [InlineData("Discharged home/SNF pending the bed search.", "SNF")]
    [InlineData("Lives at home with users of the same clinic.", "users")]
    public void Scan_SharedFolderOrWordHome_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("GET /api/patients?name=Ruth%20Okafor&dob=1961-04-17 returned 404.", "Ruth")]
    [InlineData("GET /api/patients?name=Ruth%20Okafor&dob=1961-04-17 returned 404.", "Okafor")]
    [InlineData("search?name=Ruth+Okafor&age=45 found nothing", "Ruth")]
    [InlineData("search?name=Ruth+Okafor&age=45 found nothing", "Okafor")]
    [InlineData("/lookup?q=x&patient=Okafor%2C%20Ruth&x=1 timed out", "Ruth")]
    public void Scan_NameInEncodedQuery_IsMarked(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_DateInEncodedQuery_IsMarked() =>
        AssertMarked("GET /api/patients?name=Ruth%20Okafor&dob=1961-04-17 returned 404.", "1961-04-17", PhiKind.Date);

    [Theory]
    [InlineData("Link: /portal/reset?email=jane.doe%40example.com&step=2", "jane.doe%40example.com")]
    [InlineData("/api/notify?to=r.okafor%40mail.example.org", "r.okafor%40mail.example.org")]
    public void Scan_PercentEncodedEmail_IsOneEmail(string text, string email) =>
        AssertMarked(text, email, PhiKind.Email);

    [Theory]
    [InlineData("A1c 7.2% and EF 50%, 2+ edema.", "7.2")]
    [InlineData("A1c 7.2% and EF 50%, 2+ edema.", "edema")]
    [InlineData("Titrate to 50%+ of goal; 2+ pitting; 100%=full dose.", "pitting")]
    [InlineData("Titrate to 50%+ of goal; 2+ pitting; 100%=full dose.", "full")]
    [InlineData("Order?dose=50%20mg&route=PO was sent.", "mg")]
    public void Scan_PercentAndPlusInClinicalText_StayUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Protect_LearnedGivenNameBeforeQuotedNicknameAndJoinedSurname_IsReplacedWithItsNickname()
    {
        var result = Protect("John Smith called. Nick: John \"JJ\" O'Neil-Smith");

        Assert.DoesNotContain("John", result, StringComparison.Ordinal);
        Assert.DoesNotContain("JJ", result, StringComparison.Ordinal);
        Assert.DoesNotContain("Neil", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Patient John O'Brien seen today.", "John")]
    [InlineData("Patient John O'Neil-Smith seen today.\nNick: John \"JJ\" O'Neil-Smith", "John")]
    [InlineData("Patient Mary Brown seen. Nick: Mary 'Mimi' D'Angelo", "Mimi")]
    [InlineData("Patient Mary Brown seen. Nick: Mary 'Mimi' D'Angelo", "Mary")]
    public void Protect_GivenNameBeforeApostropheSurnameOrNickname_IsReplaced(string text, string name) =>
        Assert.DoesNotContain(name, Protect(text), StringComparison.Ordinal);

    [Theory]
    [InlineData("Her mother Doña Carmen O'Neil had thyroid cancer.", "Doña")]
    [InlineData("Dressing changes by Aunty Moana D'Souza at home.", "Aunty")]
    public void Scan_TitleBeforeApostropheSurname_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);
}
