using XefAI.Data.Configuration;
using XefAI.Data.Deidentification;
using XefAI.Data.Tests.Fhir;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// A given name that is also an ordinary word ("Joy", "Rich", "Hope"), learned in one chat turn, said again alone at
/// the start of a later sentence or turn: taken when what follows makes it the subject or the one addressed, kept when
/// the word is used as a word.
/// </summary>
public sealed class LearnedNameRepeatTests
{
    private static readonly SafeHarborDataProtector Protector =
        new(FhirSources.Monitor(new DataOptions { PseudonymSalt = "a-test-salt-of-sufficient-length" }));

    [Theory]
    [InlineData("Draft a note to Joy Whitaker about her A1c.", "Joy asked whether she can stop metformin.", "[NAME_1] asked whether she can stop metformin.")]
    [InlineData("Mr. Rich Delgado, 67, lives alone.", "Rich lives alone; his son visits weekly.", "[NAME_1] lives alone; his son visits weekly.")]
    [InlineData("Patient is Mason Reed, DOB 7/4/1990.", "Mason reports chest pain since Tuesday.", "[NAME_1] reports chest pain since Tuesday.")]
    [InlineData("The patient, Faith Omondi, was admitted.", "Faith is 34 weeks pregnant.", "[NAME_1] is 34 weeks pregnant.")]
    [InlineData("Write to Bill Okonkwo about his colonoscopy.", "Bill, please start prep the day before.", "[NAME_1], please start prep the day before.")]
    [InlineData("Letter for Page Holloway.", "Page's biopsy was benign.", "[NAME_1]'s biopsy was benign.")]
    [InlineData("Hope Castillo called about her refill.", "Hope said her pharmacy is closed.", "[NAME_1] said her pharmacy is closed.")]
    public void A_learned_name_starting_a_later_turn_as_its_subject_is_replaced(string first, string later, string expected)
    {
        var protection = Protector.Begin(ClinicalContext.Empty);
        protection.Protect(first);

        Assert.Equal(expected, protection.Protect(later));
    }

    [Theory]
    [InlineData("Hope Castillo called about her refill.", "Hope this helps with the refill.")]
    [InlineData("Will Turner was seen today.", "Will you send the refill today?")]
    [InlineData("Grant Okafor is the PCP.", "Grant funding covers the visit.")]
    [InlineData("Summer Nguyen missed her visit.", "Summer heat worsens her asthma.")]
    public void A_learned_name_used_as_a_word_at_a_sentence_start_is_kept(string first, string later)
    {
        var protection = Protector.Begin(ClinicalContext.Empty);
        protection.Protect(first);

        Assert.Equal(later, protection.Protect(later));
    }
}
