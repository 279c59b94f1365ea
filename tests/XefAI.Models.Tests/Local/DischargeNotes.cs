namespace XefAI.Models.Tests.Local;

internal static class DischargeNotes
{
    /// <summary>A synthetic discharge summary laid out as EHRs export them: headings, hard-wrapped prose, lists.</summary>
    public const string Pneumonia = """
        DISCHARGE SUMMARY

        Patient: 67-year-old man.
        Admission date: 2024-03-02. Discharge date: 2024-03-06.

        HISTORY OF PRESENT ILLNESS:
        The patient presented to the emergency department with three days of productive cough, fever and
        shortness of breath. He has a history of type 2 diabetes mellitus and hypertension.

        HOSPITAL COURSE:
        Chest x-ray showed a right lower lobe infiltrate consistent with community-acquired pneumonia.
        He was started on ceftriaxone 1 g IV daily and azithromycin 500 mg daily. His fever resolved by
        hospital day 2 and oxygen saturation improved to 96% on room air. Blood glucose was elevated on
        admission at 287 mg/dL and was managed with sliding-scale insulin. The family visited often and
        the patient enjoyed the view from his room.

        DISCHARGE DIAGNOSES:
        1. Community-acquired pneumonia, right lower lobe
        2. Type 2 diabetes mellitus, uncontrolled
        3. Hypertension

        DISCHARGE MEDICATIONS:
        - Amoxicillin-clavulanate 875 mg twice daily for 5 days
        - Metformin 1000 mg twice daily
        - Lisinopril 10 mg daily

        PLAN:
        Follow up with Dr. Patel in primary care in one week. Repeat chest x-ray in six weeks to confirm
        resolution of the pneumonia. Return to the emergency department for worsening shortness of breath
        or fever.
        """;
}
