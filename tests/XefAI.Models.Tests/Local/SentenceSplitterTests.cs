using XefAI.Models.Providers.Local;

namespace XefAI.Models.Tests.Local;

public sealed class SentenceSplitterTests
{
    [Fact]
    public void Split_HardWrappedProse_RejoinsLinesAndSplitsAtSentenceEnds()
    {
        const string Text = "He was started on ceftriaxone and his fever\nresolved by day 2. Oxygen saturation\nimproved to 96%.";

        Assert.Equal(
            ["He was started on ceftriaxone and his fever resolved by day 2.", "Oxygen saturation improved to 96%."],
            SentenceSplitter.Split(Text));
    }

    [Fact]
    public void Split_AbbreviationsAndDecimals_DoNotEndSentences()
    {
        const string Text = "Seen by Dr. Patel and J. Smith today. HbA1c was 8.1 and creatinine 1.2 mg/dL. Next visit in 2 weeks.";

        Assert.Equal(
            ["Seen by Dr. Patel and J. Smith today.", "HbA1c was 8.1 and creatinine 1.2 mg/dL.", "Next visit in 2 weeks."],
            SentenceSplitter.Split(Text));
    }

    [Fact]
    public void Split_HeadingWithList_BecomesOneSentenceUnderTheHeading()
    {
        const string Text = "DISCHARGE MEDICATIONS:\n- Metformin 1000 mg twice daily.\n- Lisinopril 10 mg daily\n\nAllergies:\nPenicillin.";

        Assert.Equal(
            ["DISCHARGE MEDICATIONS: Metformin 1000 mg twice daily; Lisinopril 10 mg daily", "Allergies: Penicillin."],
            SentenceSplitter.Split(Text));
    }

    [Fact]
    public void Split_HeadingWithoutContentAndLabelLines_DropsHeadingAndKeepsLabelsApart()
    {
        const string Text = "VITAL SIGNS\n\nBP: 150/90\nHR: 88\nTemp: 37.9 C";

        Assert.Equal(["BP: 150/90", "HR: 88", "Temp: 37.9 C"], SentenceSplitter.Split(Text));
    }

    [Fact]
    public void Split_ListWithoutHeading_KeepsItemsApart()
    {
        const string Text = "1. Stop aspirin\n2. Start apixaban 5 mg twice daily";

        Assert.Equal(["Stop aspirin", "Start apixaban 5 mg twice daily"], SentenceSplitter.Split(Text));
    }
}
