using XefAI.Data.Configuration;
using XefAI.Data.Deidentification;
using XefAI.Data.Tests.Fhir;

namespace XefAI.Data.Tests.Deidentification;

public sealed class SafeHarborProtectionTests
{
    private static readonly SafeHarborDataProtector Protector =
        new(FhirSources.Monitor(new DataOptions { PseudonymSalt = "a-test-salt-of-sufficient-length" }));

    private static IDataProtection Begin(ClinicalContext? context = null) => Protector.Begin(context ?? ClinicalContext.Empty);

    [Theory]
    [InlineData("SSN 123-45-6789 on file.", "123-45-6789", "[SSN_1]")]
    [InlineData("Call (617) 555-0134 after 5.", "(617) 555-0134", "[PHONE_1]")]
    [InlineData("Cell: 617.555.0134.", "617.555.0134", "[PHONE_1]")]
    [InlineData("Reach her at +1 617 555 0134 today.", "+1 617 555 0134", "[PHONE_1]")]
    [InlineData("Fax: 617-555-0199", "617-555-0199", "[FAX_1]")]
    [InlineData("Email maria.lopez@example.org please.", "maria.lopez@example.org", "[EMAIL_1]")]
    [InlineData("MRN: 00482913", "00482913", "[MRN_1]")]
    [InlineData("Member ID: XHP-448291-02", "XHP-448291-02", "[HEALTHPLAN_1]")]
    [InlineData("Acct # 7781920034 billed.", "7781920034", "[ACCOUNT_1]")]
    [InlineData("DEA number AB1234563.", "AB1234563", "[LICENSE_1]")]
    [InlineData("VIN 1HGCM82633A004352 on the report.", "1HGCM82633A004352", "[VEHICLE_1]")]
    [InlineData("Pacemaker serial number PM-4829-1133 checked.", "PM-4829-1133", "[DEVICE_1]")]
    [InlineData("See https://portal.example.org/visit?id=9 now.", "https://portal.example.org/visit?id=9", "[URL_1]")]
    [InlineData("Logged in from 192.0.2.44 twice.", "192.0.2.44", "[IP_1]")]
    [InlineData("Fingerprint template FP-99812-A enrolled.", "FP-99812-A", "[BIOMETRIC_1]")]
    [InlineData("Accession # S24-11873 sent.", "S24-11873", "[ID_1]")]
    [InlineData("Admitted 03/14/2024 via ED.", "03/14/2024", "[DATE_1]")]
    [InlineData("Seen on March 14th, 2024 in clinic.", "March 14th, 2024", "[DATE_1]")]
    [InlineData("Collected 2024-03-14T10:30:00Z.", "2024-03-14T10", "[DATE_1]")]
    [InlineData("Follow up on 3/21 with labs.", "3/21", "[DATE_1]")]
    [InlineData("She is a 92-year-old woman.", "92", "[AGE_1]")]
    [InlineData("Lives at 123 Elm Street, Apt 4B.", "123 Elm Street, Apt 4B", "[ADDRESS_1]")]
    [InlineData("Seen by Dr. Okonkwo today.", "Okonkwo", "[NAME_1]")]
    public void Replaces_each_kind_of_identifier_with_a_typed_token(string text, string identifier, string token)
    {
        var protection = Begin();

        var result = protection.Protect(text);

        Assert.DoesNotContain(identifier, result, StringComparison.Ordinal);
        Assert.Contains(token, result, StringComparison.Ordinal);
        Assert.Equal(text, protection.Restore(result));
    }

    [Theory]
    [InlineData("metoprolol 25 mg PO BID, lisinopril 10 mg daily, Lasix 40 mg IV x1")]
    [InlineData("Na 138 mmol/L, K 4.1, HbA1c 7.2%, Cr 1.1 mg/dL")]
    [InlineData("BP 142/88, HR 96, RR 18, SpO2 94% on 2L, T 37.8")]
    [InlineData("GCS 15, NIHSS 4, Apgar 8/9, pain 7/10, strength 4/5 in the left arm")]
    [InlineData("History of Parkinson disease, Hodgkin lymphoma, Crohn's disease and Alzheimer dementia.")]
    [InlineData("Graves disease, Cushing syndrome, positive Murphy's sign, Bell's palsy.")]
    [InlineData("Will continue current plan. May need a repeat CT in 2 weeks.")]
    [InlineData("Patient is a 68-year-old with CHF, EF 35%, on 2023 guidelines.")]
    public void Leaves_clinical_text_as_it_is(string text)
    {
        var protection = Begin();

        Assert.Equal(text, protection.Protect(text));
        Assert.Equal(0, protection.Replacements);
    }

    [Fact]
    public void Keeps_the_first_three_digits_of_a_zip_code_unless_the_area_is_too_small()
    {
        var protection = Begin();

        var populous = protection.Protect("Springfield, IL 62704");
        var small = protection.Protect("Lives in Hanover, NH 03601");

        Assert.Equal("[LOCATION_1], IL 627[ZIP_1]", populous);
        Assert.Equal("Lives in [LOCATION_2], NH [ZIP_2]", small);
        Assert.Equal("Springfield, IL 62704", protection.Restore(populous));
        Assert.Equal("Lives in Hanover, NH 03601", protection.Restore(small));
    }

    [Fact]
    public void The_same_value_gets_the_same_token_across_texts_of_one_call()
    {
        var protection = Begin();

        var first = protection.Protect("Mr. Okonkwo called from 617-555-0134.");
        var second = protection.Protect("OKONKWO asked for a refill; callback 617-555-0134.");

        Assert.Equal("Mr. [NAME_1] called from [PHONE_1].", first);
        Assert.Equal("[NAME_1] asked for a refill; callback [PHONE_1].", second);
        Assert.Equal(new Dictionary<string, int> { ["name"] = 2, ["phone"] = 2 }, protection.ReplacementsByKind);
    }

    [Fact]
    public void Restore_finds_tokens_issued_before_and_after_its_first_use()
    {
        var protection = Begin();
        var first = protection.Protect("Mr. Okonkwo called from 617-555-0134.");
        Assert.Equal("Mr. Okonkwo called from 617-555-0134.", protection.Restore(first));

        var second = protection.Protect("Dr. Haverford asked Mr. Okonkwo to call 617-555-0199.");

        Assert.Equal("Dr. [NAME_2] asked Mr. [NAME_1] to call [PHONE_2].", second);
        Assert.Equal("Dr. Haverford asked Mr. Okonkwo to call 617-555-0199.", protection.Restore(second));
    }

    [Fact]
    public void Counts_by_kind_read_earlier_do_not_change_with_later_replacements()
    {
        var protection = Begin();
        protection.Protect("Mr. Okonkwo is here.");
        var earlier = protection.ReplacementsByKind;

        protection.Protect("Call 617-555-0134 for Mr. Okonkwo.");

        Assert.Equal(new Dictionary<string, int> { ["name"] = 1 }, earlier);
        Assert.Equal(new Dictionary<string, int> { ["name"] = 2, ["phone"] = 1 }, protection.ReplacementsByKind);
        Assert.Equal(2, protection.ReplacementsByKind["name"]);
        Assert.False(protection.ReplacementsByKind.ContainsKey("date"));
    }

    [Fact]
    public void Counts_by_kind_are_empty_when_nothing_was_replaced()
    {
        var protection = Begin();

        protection.Protect("BP 142/88, HR 96, on metoprolol 25 mg BID.");

        Assert.Empty(protection.ReplacementsByKind);
        Assert.Equal("[NAME_1] stays.", protection.Restore("[NAME_1] stays."));
    }

    [Fact]
    public void Names_learned_in_one_call_are_not_known_to_the_next_call_on_the_same_thread()
    {
        var first = Begin();
        var second = Begin();

        Assert.Equal("Mr. [NAME_1] agreed.", first.Protect("Mr. Zarqoville agreed."));
        Assert.Equal("Send the zarqoville file.", second.Protect("Send the zarqoville file."));
        Assert.Equal("Send the [NAME_1] file.", first.Protect("Send the zarqoville file."));
    }

    [Fact]
    public void Protecting_the_same_text_twice_counts_it_once()
    {
        var protection = Begin();

        protection.Protect("Mr. Okonkwo is here.");
        protection.Protect("Mr. Okonkwo is here.");

        Assert.Equal(1, protection.Replacements);
    }

    [Fact]
    public void Restore_leaves_tokens_it_never_issued_and_tokens_of_other_calls_alone()
    {
        var mine = Begin();
        var other = Begin();
        Assert.Equal("Dr. [NAME_1] saw him.", mine.Protect("Dr. Okonkwo saw him."));
        Assert.Equal("Dr. [NAME_1] saw him.", other.Protect("Dr. Haverford saw him."));

        var restored = mine.Restore("[NAME_1] and [NAME_2] and [DATE_1] and [NAME_1");

        Assert.Equal("Okonkwo and [NAME_2] and [DATE_1] and [NAME_1", restored);
        Assert.Equal("Haverford", other.Restore("[NAME_1]"));
    }

    [Fact]
    public void A_token_the_sender_wrote_keeps_its_meaning_and_new_tokens_take_other_numbers()
    {
        var protection = Begin();

        var result = protection.Protect("Template [NAME_1] filled for Dr. Okonkwo.");

        Assert.Equal("Template [NAME_1] filled for Dr. [NAME_2].", result);
        Assert.Equal("Template [NAME_1] filled for Dr. Okonkwo.", protection.Restore(result));
    }

    [Fact]
    public void Finds_the_people_of_the_clinical_context_in_any_form()
    {
        var context = new ClinicalContext([], [], "Patient/1", 1)
        {
            People =
            [
                new ClinicalPerson("patient") { GivenNames = ["Chidi", "Emeka"], FamilyNames = ["Okonkwo"], Identifiers = ["MRN-77120"], Telecom = ["chidi@example.net"] },
            ],
        };
        var protection = Begin(context);

        var result = protection.Protect(
            "OKONKWO, CHIDI seen. Mr. Okonkwo reports pain; C. Okonkwo signed. chidi asked about okonkwo family hx. Ref MRN-77120, chidi@example.net.");

        foreach (var value in new[] { "Okonkwo", "OKONKWO", "okonkwo", "Chidi", "CHIDI", "chidi", "C.", "MRN-77120", "example.net" })
        {
            Assert.DoesNotContain(value, result, StringComparison.Ordinal);
        }

        Assert.Contains("reports pain", result, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fhir_bundle_loses_names_identifiers_and_contact_details_and_its_dates_move_by_the_patient_offset()
    {
        var bundle = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fhir", "TestData", "medplum-homer-simpson-bundle.json"));
        var context = FhirSources.Create().TryRead(bundle)!;
        var protection = (SafeHarborProtection)Begin(context);

        var result = protection.Protect(bundle);

        Assert.DoesNotContain("Homer", result, StringComparison.Ordinal);
        Assert.DoesNotContain("Simpson", result, StringComparison.Ordinal);
        Assert.DoesNotContain("1956-05-12", result, StringComparison.Ordinal);
        Assert.Contains("\"birthDate\":\"1956\"", result, StringComparison.Ordinal);
        Assert.DoesNotContain("\"identifier\"", result, StringComparison.Ordinal);
        Assert.DoesNotContain("\"telecom\"", result, StringComparison.Ordinal);
        Assert.DoesNotContain("Patient/123", result, StringComparison.Ordinal);
        Assert.Contains("Specimen hemolyzed", result, StringComparison.Ordinal);
        Assert.Contains("\"system\":\"http://unitsofmeasure.org\"", result, StringComparison.Ordinal);
        var shifted = FhirJsonDeidentifier.Shift("2020-01-01T12:00:00Z", protection.DateShiftDays);
        Assert.Contains(shifted, result, StringComparison.Ordinal);
        Assert.NotEqual("2020-01-01T12:00:00Z", shifted);
    }

    [Fact]
    public void The_date_offset_is_the_same_for_one_patient_and_never_zero()
    {
        var offsets = Enumerable.Range(0, 200).Select(i => Protector.DateShiftDays($"Patient/{i}")).ToList();

        Assert.Equal(Protector.DateShiftDays("Patient/7"), Protector.DateShiftDays("Patient/7"));
        Assert.All(offsets, days => Assert.InRange(Math.Abs(days), 1, 365));
        Assert.Contains(offsets, days => days < 0);
        Assert.Contains(offsets, days => days > 0);
    }

    [Fact]
    public void Text_that_is_not_text_is_refused()
    {
        Assert.Throws<DeIdentificationException>(() => Begin().Protect("ab" + (char)0xD800 + "cd"));
        Assert.Throws<DeIdentificationException>(() => Begin().Protect("\0\0\0binary"));
    }

    [Fact]
    public void Binary_garbage_is_refused_without_quoting_it()
    {
        var random = new Random(7);
        var garbage = new string([.. Enumerable.Range(0, 4096).Select(_ => (char)random.Next(1, 32))]);

        var error = Assert.Throws<DeIdentificationException>(() => Begin().Protect(garbage + " Homer Simpson"));

        Assert.DoesNotContain("Homer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_longer_than_the_limit_is_refused()
    {
        var protector = new SafeHarborDataProtector(FhirSources.Monitor(new DataOptions { PseudonymSalt = "a-test-salt-of-sufficient-length", MaxDeIdentifiedTextLength = 2048 }));

        Assert.Throws<DeIdentificationException>(() => protector.Begin(ClinicalContext.Empty).Protect(new string('a', 2049)));
    }

    [Fact]
    public void ReadAhead_a_name_a_later_text_reveals_is_found_in_an_earlier_one_and_nothing_is_counted_twice()
    {
        string[] texts = ["Quixley here again about the refill.", "The lisinopril. Thanks, Jonathan Quixley"];
        var protection = Begin();

        protection.ReadAhead(texts);
        Assert.Equal(0, protection.Replacements);
        var first = protection.Protect(texts[0]);
        var last = protection.Protect(texts[1]);

        Assert.Equal("[NAME_1] here again about the refill.", first);
        Assert.Equal("The lisinopril. Thanks, [NAME_2] [NAME_1]", last);
        Assert.Equal(3, protection.Replacements);
    }

    [Fact]
    public void ReadAhead_a_later_texts_scan_is_used_again_when_nothing_learned_since_can_change_it()
    {
        const string system = "You write clear, kind messages to patients at a sixth-grade reading level.";
        const string user = "Please draft a reply. Context: Maria Gonzalez (MRN 00482913) was seen by Dr. Alan Whitfield; call 555-201-3344.";
        var plain = Begin();
        var expected = (plain.Protect(system), plain.Protect(user));
        var protection = (SafeHarborProtection)Begin();

        protection.ReadAhead([system, user]);
        var actual = (protection.Protect(system), protection.Protect(user));

        Assert.Equal(expected, actual);
        Assert.Equal(1, protection.ScansReused);
        Assert.Equal(plain.Replacements, protection.Replacements);
    }

    [Fact]
    public void ReadAhead_a_name_the_first_text_teaches_sends_a_later_text_back_to_the_scanner()
    {
        // Read ahead alone, the second text names nobody the scanner knows; the first text, protected after reading
        // ahead, teaches it the name, so the second text's earlier scan no longer holds.
        string[] texts = ["Patient: Jonathan Quixley, seen today for a leg wound.", "Quixley called about the dressing change and the refill."];
        var alone = Begin().Protect(texts[1]);
        Assert.StartsWith("Quixley", alone, StringComparison.Ordinal);
        var protection = (SafeHarborProtection)Begin();

        protection.ReadAhead(texts);
        protection.Protect(texts[0]);
        var second = protection.Protect(texts[1]);

        Assert.DoesNotContain("Quixley", second, StringComparison.Ordinal);
        Assert.Equal(0, protection.ScansReused);
    }

    [Theory]
    [InlineData("Patient Z\u0435phyrine Quixley called about the refill.", "phyrine")]
    [InlineData("Seen by Dr. \u041Ek\u043Enkw\u043E in clinic today.", "nkw")]
    [InlineData("Seen by Dr. \u039Fk\u03BFnkw\u03BF in clinic today.", "nkw")]
    public void Cyrillic_or_Greek_letters_inside_a_latin_name_cannot_hide_it(string text, string part)
    {
        var result = Begin().Protect(text);

        Assert.DoesNotContain(part, result, StringComparison.Ordinal);
        Assert.Contains("[NAME_", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\u041F\u0430\u0446\u0438\u0435\u043D\u0442 \u0436\u0430\u043B\u0443\u0435\u0442\u0441\u044F \u043D\u0430 \u0431\u043E\u043B\u044C.")]
    [InlineData("\u039F \u03B1\u03C3\u03B8\u03B5\u03BD\u03AE\u03C2 \u03C0\u03BF\u03BD\u03AC\u03B5\u03B9.")]
    public void A_word_of_cyrillic_or_greek_letters_alone_is_left_in_its_script(string text) =>
        Assert.Equal(text, Begin().Protect(text));

    [Fact]
    public void A_mixed_word_that_is_no_identifier_reaches_the_model_as_written_and_a_name_restores_as_written()
    {
        var protection = Begin();
        const string text = "The d\u043Ese was given at noon. Patient Z\u0435phyrine Quixley called.";

        var result = protection.Protect(text);

        Assert.StartsWith("The d\u043Ese was given at noon. Patient [NAME_", result, StringComparison.Ordinal);
        Assert.Equal(text, protection.Restore(result));
    }

    [Fact]
    public void Invisible_characters_cannot_hide_a_name()
    {
        var result = Begin().Protect("Seen by Dr. Oko\u200Bnkwo and Mr. Okon\u00ADkwo.");

        Assert.DoesNotContain("Oko", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Full_width_letters_cannot_hide_a_phone_number()
    {
        var result = Begin().Protect("Call ６１７-５５５-０１３４ now.");

        Assert.DoesNotContain("555", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Call \uFF16\uFF11\uFF17\uFF0D\uFF15\uFF15\uFF15\uFF0D\uFF10\uFF11\uFF13\uFF14 now.", "\uFF15\uFF15\uFF15")]
    [InlineData("SSN \uFF11\uFF12\uFF13\uFF0D\uFF14\uFF15\uFF0D\uFF16\uFF17\uFF18\uFF19 on file.", "\uFF16\uFF17\uFF18\uFF19")]
    [InlineData("Email \uFF4D\uFF41\uFF52\uFF49\uFF41\uFF20\uFF45\uFF58\uFF41\uFF4D\uFF50\uFF4C\uFF45\uFF0E\uFF4F\uFF52\uFF47 please.", "\uFF20")]
    public void Full_width_forms_cannot_hide_an_identifier(string text, string part)
    {
        // Full-width hyphens and '@' too, not only digits: the scanner's rules read ASCII punctuation.
        var result = Begin().Protect(text);

        Assert.DoesNotContain(part, result, StringComparison.Ordinal);
        Assert.Matches(@"\[(PHONE|SSN|EMAIL)_1\]", result);
    }

    [Fact]
    public void Decomposed_accents_cannot_hide_a_name()
    {
        // NFD, as macOS and some exports write accented letters (written out: Normalize changes nothing here).
        var result = Begin().Protect("Dear team, Ze\u0301phyrine O\u0308konkwo-Baptiste called about her refill.");

        Assert.DoesNotContain("phyrine", result, StringComparison.Ordinal);
        Assert.DoesNotContain("konkwo", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ze\u0301phyrine", "O\u0308konkwo", "Reply to z\u00E9phyrine about the refill; \u00F6konkwo asked twice.")]
    [InlineData("Z\u00E9phyrine", "\u00D6konkwo", "Reply to ze\u0301phyrine about the refill; o\u0308konkwo asked twice.")]
    [InlineData("Z\u00E9phyrine", "\u00D6konkwo", "Reply to zephyrine about the refill; okonkwo asked twice.")]
    public void A_name_of_the_clinical_context_is_found_composed_decomposed_or_without_accents(string given, string family, string text)
    {
        var patient = new ClinicalPerson("patient") { GivenNames = [given], FamilyNames = [family] };

        var result = Begin(ClinicalContext.Empty with { People = [patient] }).Protect(text);

        Assert.DoesNotContain("phyrine", result, StringComparison.Ordinal);
        Assert.DoesNotContain("konkwo", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Follow-up: Ram\u00EDrez to call back.")]
    [InlineData("Follow-up: Rami\u0301rez to call back.")]
    public void An_accented_name_is_found_in_the_name_lists(string text)
    {
        // The lists are written without accents; "Ramirez" there is caught, so "Ramírez" must be too.
        var result = Begin().Protect(text);

        Assert.DoesNotContain("rez", result, StringComparison.Ordinal);
    }

    private static string Bold(string text) => string.Concat(text.Select(c => char.IsAsciiLetterUpper(c)
        ? char.ConvertFromUtf32(0x1D400 + c - 'A')
        : char.IsAsciiLetterLower(c) ? char.ConvertFromUtf32(0x1D41A + c - 'a') : c.ToString()));

    [Fact]
    public void Mathematical_letters_cannot_hide_a_name()
    {
        var result = Begin().Protect($"Seen by Dr. {Bold("Okonkwo")} today.");

        Assert.DoesNotContain(Bold("Okonkwo"), result, StringComparison.Ordinal);
        Assert.DoesNotContain("Okonkwo", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Call \u0666\u0661\u0667-\u0665\u0665\u0665-\u0660\u0661\u0663\u0664 now.", "\u0665\u0665\u0665")]
    [InlineData("Call \u096C\u0967\u096D-\u096B\u096B\u096B-\u0966\u0967\u0969\u096A now.", "\u096B\u096B\u096B")]
    public void Digits_of_another_script_cannot_hide_a_phone_number(string text, string part)
    {
        var result = Begin().Protect(text);

        Assert.DoesNotContain(part, result, StringComparison.Ordinal);
        Assert.DoesNotContain("555", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SSN 123\u201145\u20116789 on file.", "6789")]
    [InlineData("SSN 123\u201045\u20106789 on file.", "6789")]
    [InlineData("SSN 123\u221245\u22126789 on file.", "6789")]
    [InlineData("Call 617\u2011555\u20110134 now.", "0134")]
    [InlineData("Admitted 03\u204414\u20442024 via ED.", "2024")]
    [InlineData("Admitted 03\u221514\u22152024 via ED.", "2024")]
    public void Unicode_hyphens_and_slashes_cannot_split_an_identifier(string text, string part)
    {
        var result = Begin().Protect(text);

        Assert.DoesNotContain(part, result, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_in_a_script_without_capitals_are_taken_out_after_a_title()
    {
        var result = Begin().Protect("Interpreter for Mrs. 王秀英 requested.");

        Assert.DoesNotContain("王秀英", result, StringComparison.Ordinal);
    }
}
