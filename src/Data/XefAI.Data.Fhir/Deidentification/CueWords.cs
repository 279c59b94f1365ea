namespace XefAI.Data.Deidentification;

/// <summary>
/// The words around identifiers in US clinical text: titles and labels before names, cue words before identifier
/// numbers, street suffixes, month names. Written for this gateway, lower case.
/// </summary>
internal static class CueWords
{
    public static readonly string[] Months =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    /// <summary>Spanish month names, as bilingual notes write them ("15 de agosto de 1963", "febrero 3").</summary>
    public static readonly string[] SpanishMonths =
        ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "setiembre", "octubre", "noviembre", "diciembre"];

    public static readonly string[] MonthAbbreviations = ["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"];

    public static readonly string[] Weekdays =
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"];

    public static readonly string[] Titles =
        ["officer", "detective", "deputy", "sergeant", "sgt", "captain", "capt", "lieutenant", "lt", "judge", "attorney", "atty", "dr", "doctor", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sr", "sister", "nurse", "father", "rev", "reverend", "hon", "honorable", "pastor", "rabbi", "imam", "dra", "sra", "sr", "don", "dona", "mister", "madam", "mme", "mlle", "herr", "frau", "inspector", "officers", "trooper", "reb", "tante", "bishop"];

    public static readonly string[] Credentials =
    [
        "md", "do", "rn", "np", "pa", "pac", "phd", "msw", "lcsw", "lpn", "lvn", "cnm", "crna", "dpm", "dds", "dmd", "pharmd", "rph", "od",
        "aprn", "fnp", "dnp", "bsn", "msn", "mph", "mbbs", "facs", "facp", "facc", "lmft", "lpc", "psyd", "ot", "otr", "pt", "dpt", "slp", "rd",
        "cna", "ma", "emt", "paramedic", "rrt", "cpht", "ccc", "ibclc", "cde", "cdces", "frcpc", "mrcp", "faap", "agpcnp", "anp", "whnp", "pmhnp",
        "mdiv", "rdn", "ld", "rdh", "cwon", "cwocn", "ccrn", "cnl", "lmsw", "ladc", "cadc", "bcba",
    ];

    public static readonly string[] NameLabels =
    [
        "name", "patient", "pt", "attending", "pcp", "physician", "provider", "resident", "intern", "fellow", "surgeon", "anesthesiologist",
        "radiologist", "pathologist", "cardiologist", "oncologist", "neurologist", "nephrologist", "hospitalist", "consultant", "referring",
        "dictated", "signed", "cosigned", "transcribed", "authored", "author", "reviewed", "verified", "seen", "examined", "evaluated",
        "cc", "to", "from", "contact", "guardian", "nok", "poa", "proxy", "caregiver", "interpreter", "chaplain", "witness", "by", "sender",
        "recipient", "requested", "ordering", "ordered", "performed", "performing", "reading", "discussed", "spoke", "called", "informed",
        "care", "manager", "coordinator", "aide", "therapist", "pharmacist", "technician", "tech", "midwife", "doula", "dietitian", "counselor",
        "worker", "assistant", "practitioner", "clinician", "nurse", "rn", "md", "dr", "with", "per", "via", "attn", "re",
        "technologist", "sonographer", "scribe", "navigator", "educator", "advocate", "registrar", "transcriptionist", "cna", "ma",
        "lpn", "np", "pa", "supervisor", "charge", "preceptor", "student", "volunteer", "officer", "liaison", "sitter", "coach",
    ];

    public static readonly string[] Relations =
    [
        "mother", "father", "mom", "dad", "wife", "husband", "spouse", "partner", "daughter", "son", "sister", "brother", "sibling", "aunt",
        "uncle", "niece", "nephew", "cousin", "grandmother", "grandfather", "grandma", "grandpa", "grandson", "granddaughter", "fiance",
        "fiancee", "friend", "neighbor", "neighbour", "roommate", "girlfriend", "boyfriend", "stepmother", "stepfather", "stepson", "stepdaughter",
        "guardian", "caregiver", "child", "children", "parent", "parents", "mother-in-law", "father-in-law", "boss", "coworker", "landlord",
    ];

    public static readonly string[] Salutations = ["dear", "hi", "hello", "hey", "greetings", "attention", "attn"];

    public static readonly string[] SignOffs =
        ["thanks", "thank", "thx", "tnx", "sincerely", "regards", "best", "cheers", "respectfully", "cordially", "warmly", "love", "yours", "cc", "signed", "sig"];

    public static readonly string[] StreetSuffixes =
    [
        "street", "st", "avenue", "ave", "av", "road", "rd", "boulevard", "blvd", "drive", "dr", "lane", "ln", "way", "court", "ct", "place", "pl",
        "terrace", "ter", "terr", "parkway", "pkwy", "highway", "hwy", "circle", "cir", "trail", "trl", "square", "sq", "alley", "aly", "crescent",
        "row", "path", "pike", "loop", "run", "walk", "plaza", "plz", "expressway", "expy", "turnpike", "tpke", "route", "rte", "close", "commons",
        "heights", "hts", "point", "pt", "ridge", "crossing", "xing", "bend", "cove", "glen", "green", "grove", "hill", "hollow", "isle", "manor",
        "mews", "park", "pass", "estates", "view", "vista", "broadway",
    ];

    public static readonly string[] UnitDesignators = ["apt", "apartment", "unit", "suite", "ste", "floor", "fl", "bldg", "building", "lot", "box", "room", "rm", "trlr", "po", "p.o", "flat"];

    public static readonly string[] Holidays =
        ["christmas", "xmas", "thanksgiving", "easter", "halloween", "hanukkah", "kwanzaa", "ramadan", "passover", "juneteenth", "navidad", "nochebuena",
        "chanukah", "hanukah", "purim", "sukkot", "shavuot", "chuseok", "wigilia", "diwali",
        "divali", "deepavali", "obon", "vesak", "nowruz", "navruz", "losar", "fasika", "timkat", "meskel", "vaisakhi", "baisakhi", "songkran", "soyal",
        "epiphany", "theophany", "pascha", "yalda", "pentecost", "oktoberfest"];

    public static readonly string[] MeasureUnits =
    [
        "mg", "mcg", "ug", "g", "gm", "kg", "lb", "lbs", "oz", "ml", "l", "dl", "cc", "meq", "mmol", "mol", "iu", "u", "units", "unit", "tab",
        "tabs", "tablet", "tablets", "cap", "caps", "capsule", "capsules", "puff", "puffs", "drop", "drops", "gtt", "spray", "patch", "mm",
        "cm", "inch", "inches", "ft", "feet", "mmhg", "bpm", "min", "mins", "minute", "minutes", "hr", "hrs", "hour", "hours", "sec",
        "day", "days", "wk", "wks", "week", "weeks", "mo", "mos", "month", "months", "yr", "yrs", "year", "years", "times", "x", "percent",
        "pct", "cells", "copies", "ng", "pg", "mu", "mosm", "mg/dl", "k", "ms", "hz", "mhz", "kcal", "cal", "calories", "steps", "pack",
        "packs", "ppd", "doses", "vials", "m2", "kg/m2", "ml/min", "vial", "liters", "l/min", "lpm", "breaths", "beats", "points", "pts", "fold",
    ];

    public static readonly string[] CodeCues =
    [
        "protocol", "icd", "icd10", "icd-10", "icd9", "cpt", "hcpcs", "loinc", "snomed", "ndc", "rxnorm", "rxcui", "code", "codes", "dx", "drg", "ms-drg",
        "cvx", "modifier", "revenue", "pos", "lot", "exp", "expires", "expiration", "strength", "version", "v", "ver", "room", "rm", "bed",
        "floor", "unit", "page", "pages", "line", "item", "step", "stage", "grade", "type", "class", "level", "phase", "cycle", "dose", "day",
        "pod", "hd", "gestation", "ga", "para", "gravida", "g", "p", "fr", "french", "gauge", "size", "lead", "leads", "volume", "vol", "ref",
        "cat", "catalog", "catalogue", "reorder",
    ];

    public static readonly string[] PlaceCues =
        ["lives", "living", "resides", "residing", "resident", "moved", "relocated", "born", "raised", "grew", "visiting", "traveled", "travelled", "trip", "returned", "vacation", "vacationing", "located", "near", "outside", "downtown",
        "lived", "immigrated", "emigrated", "fled", "settled"];

    public static readonly string[] RatioCues =
    [
        "ps", "peep", "cpap", "bipap", "ipap", "epap", "vent", "settings", "total", "section", "sections", "fio2", "tv", "vt", "ie",
        "gleason", "grade", "stage", "tnm", "vision", "systolic", "diastolic", "holosystolic", "murmur", "recall", "registration", "snellen", "od", "os", "ou", "hearing", "lead", "leads",
        "match", "matched", "mismatch", "mismatched", "bp", "pressure", "apgar", "apgars", "strength", "motor", "pain", "ratio", "score", "scale", "power", "grip", "reflexes", "dtr", "dtrs",
        "murmur", "grade", "vision", "acuity", "va", "fev1/fvc", "fev1", "fvc", "i:e", "rate", "over", "out", "of", "ef", "lvef", "titer", "titre",
        "ana", "ratios", "map", "sbp", "dbp", "pulses", "pulse", "tone", "sensation", "rating", "rated", "gcs", "nihss", "mmse", "moca", "phq",
        "gad", "edinburgh", "aims", "fim", "kps", "ecog", "nyha", "asa", "mallampati", "bmi", "hgb", "hct", "wbc", "plt", "cr", "k", "na",
    ];

    public static readonly string[] DateCues =
    [
        "on", "since", "from", "until", "till", "through", "thru", "dated", "date", "dob", "dos", "doa", "dod", "admitted", "admission",
        "discharged", "discharge", "seen", "visit", "visited", "born", "birth", "died", "expired", "deceased", "surgery", "procedure",
        "performed", "collected", "received", "reported", "signed", "started", "began", "stopped", "ended", "last", "next", "effective",
        "scheduled", "appointment", "appt", "f/u", "followup", "follow-up", "before", "after", "by", "due", "as", "between", "and", "to",
        "lmp", "edd", "edc", "onset", "injury", "accident", "fall", "exam", "study", "imaging", "prior", "previous", "compared", "comparison",
        "tested", "vaccinated", "given", "administered", "drawn", "obtained", "dictated", "transcribed", "verified", "reviewed", "completed",
        "labs", "lab", "cxr", "ecg", "ekg", "echo", "tte", "tee", "ct", "cta", "mri", "mra", "xr", "cbc", "bmp", "cmp", "lfts", "ua",
        "cultures", "cx", "bcx", "ucx", "pft", "pfts", "colonoscopy", "egd", "biopsy", "cath", "stress", "holter", "eeg", "emg", "dexa",
        "fill", "filled", "refill", "refilled", "dispensed",
    ];

    public static readonly string[] AgeUnits =
        ["yo", "y/o", "yrs", "yr", "year", "years", "yoa", "yom", "yof", "yowm", "yowf", "yobm", "yobf", "y", "old", "years-old", "year-old"];

    public static readonly string[] NameVerbs =
    [
        "reports", "reported", "states", "stated", "says", "said", "denies", "denied", "endorses", "endorsed", "presents", "presented",
        "complains", "complained", "notes", "noted", "was", "is", "has", "had", "tolerated", "tolerating", "ambulated", "ambulating",
        "agrees", "agreed", "understands", "understood", "declined", "declines", "refused", "refuses", "wants", "wanted", "asked",
        "asks", "called", "came", "returned", "arrived", "left", "verbalized", "verbalizes", "will", "would", "did", "does", "feels",
        "felt", "appears", "appeared", "underwent", "received", "continues", "remains", "remained", "lives", "works",
    ];

    public static readonly string[] Facilities =
    [
        "hospital", "clinic", "center", "centre", "medical", "health", "healthcare", "memorial", "general", "regional", "community",
        "university", "children's", "childrens", "institute", "pharmacy", "laboratory", "labs", "hospice", "rehab", "rehabilitation",
        "nursing", "home", "infirmary", "sanatorium", "practice", "associates", "group", "partners", "physicians", "urgent", "care",
        "school", "college", "church", "va",
    ];

    public static readonly string[] Directions = ["n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"];

    /// <summary>Eponyms and drug names that name lists carry as surnames, kept as clinical words whatever the lists say.</summary>
    public static readonly string[] ClinicalEponyms =
    [
        "parkinson", "parkinson's", "parkinsons", "parkinsonism", "parkinsonian", "hodgkin", "hodgkin's", "crohn", "crohn's", "alzheimer",
        "alzheimer's", "alzheimers", "addison's", "addisonian", "cushing's", "cushingoid", "hashimoto", "hashimoto's", "bell's", "apgar",
        "apgars", "babinski", "foley", "whipple", "kaposi", "kaposi's", "wernicke", "wernicke's", "korsakoff", "guillain", "barre",
        "raynaud", "raynaud's", "sjogren", "sjogren's", "tourette", "tourette's", "huntington's", "marfan", "marfan's", "meniere",
        "meniere's", "wilms", "hirschsprung", "kawasaki", "lyme", "klinefelter", "asperger", "asperger's", "bartholin", "buerger", "burkitt",
        "chiari", "cheyne", "coombs", "creutzfeldt", "jakob", "dupuytren", "dupuytren's", "fallot", "gaucher", "goodpasture", "heberden",
        "kernig", "brudzinski", "kussmaul", "lachman", "mcburney", "mcburney's", "mcmurray", "osgood", "schlatter", "peyronie", "peyronie's",
        "phalen", "phalen's", "tinel", "tinel's", "rinne", "rovsing", "rovsing's", "schatzki", "sezary", "takayasu", "trendelenburg",
        "valsalva", "virchow", "virchow's", "willebrand", "zollinger", "hickman", "broviac", "sengstaken", "blakemore", "jackson-pratt",
        "pfannenstiel", "billroth", "epley", "hallpike", "lhermitte", "lhermitte's", "spurling", "spurling's", "finkelstein", "chvostek",
        "chvostek's", "trousseau", "trousseau's", "korotkoff", "holter", "doppler", "gleason", "breslow", "child-pugh", "meld", "chads",
        "cha2ds2", "framingham", "glasgow", "gram", "gram-negative", "gram-positive", "nissen", "roux-en-y", "swan-ganz", "stevens-johnson",
        "brown-sequard", "wolff-parkinson-white", "mallory-weiss", "tay-sachs", "epstein-barr", "von", "graves'", "down's", "paget's",
        "semmes-weinstein", "kayser-fleischer", "dix-hallpike", "martin-hopkins", "hertel", "hoyer", "friedewald", "bristol", "braden",
        "morse", "norton", "katz", "lawton", "karnofsky", "tanner", "ranson", "mallampati", "cormack", "lehane", "duke", "wagner",
        "borg", "tyrer-cuzick", "schmitt-thompson", "reed-sternberg", "hinchey", "bethesda", "toco",
        "mohs", "epworth", "barbeau", "allen's", "romberg", "romberg's", "thompson's", "finkelstein's", "apley",
        "barrett's", "still's", "baker's", "murphy's", "homans'", "horner's", "colles'", "meckel's", "gilbert's", "reiter's", "turner's",
        "na", "k", "cl", "ca", "mg", "phos", "bun", "cr", "alt", "ast", "alk", "tbili", "dbili", "inr", "ptt", "hgb", "hct", "plt", "wbc",
        "rbc", "mcv", "rdw", "trop", "bnp", "tsh", "esr", "crp", "ldh", "ck", "lipase", "amylase", "lactate", "glu", "gluc", "hco3", "co2",
        "pco2", "po2", "fio2", "spo2", "sao2", "etco2", "peep", "rr", "hr", "temp", "wt", "ht", "bmi", "bsa", "lvef", "ef", "gfr", "egfr",
    ];

    /// <summary>Nouns after an eponym ("Graves disease", "Murphy sign"): the word before them is medicine, not a person.</summary>
    /// <summary>
    /// The words the scan's word rules can start at (ages in words, rural, military, reservation and foreign-order streets,
    /// routes, streets after a preposition, spoken days and digits, "last 4", service logins, Australian states before a postcode); a word that is none of these
    /// is spared the rules' tests. A rule that starts at a new word must add it here, or its pattern tests fail.
    /// </summary>
    public static readonly string[] WordRuleStarts =
    [
        "a", "one", "ninety", "hundred", "i", "rr", "hc", "hcr", "rt", "rte", "route", "rural", "star", "psc", "cmr", "unit", "apo", "fpo", "dpo",
        "calle", "avenida", "rua", "camino", "carretera", "bia", "tribal", "navajo", "indian", "ir", "county", "state", "us", "farm", "hwy",
        "highway", "on", "off", "along", "onto", "near", "at", "the", "zero", "oh", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "last", "svc", "srv", "svcacct", "vic", "nsw", "qld", "tas",
    ];

    /// <summary>The first words of holidays of more than one word ("Valentine's Day", "New Year's Eve", "Fourth of July"): word rule starts.</summary>
    public static readonly string[] HolidayPhraseStarts = ["valentine", "valentines", "new", "fourth"];

    public static readonly string[] EponymNouns =
    [
        "disease", "diseases", "syndrome", "syndromes", "sign", "signs", "test", "tests", "maneuver", "manoeuvre", "lymphoma", "palsy",
        "phenomenon", "reflex", "score", "scores", "criteria", "classification", "scale", "catheter", "tube", "procedure", "operation",
        "fracture", "ulcer", "esophagus", "node", "nodes", "cyst", "cysts", "sarcoma", "tumor", "tumour", "disorder", "anomaly", "triad",
        "law", "stain", "staging", "grade", "line", "drain", "fundoplication", "repair", "incision", "point", "nodule", "nodules",
        "ophthalmopathy", "thyroiditis", "dementia", "encephalopathy", "aneurysm", "contracture", "respiration", "breathing", "block",
        "tetralogy", "deformity", "neuroma", "neuralgia", "arteritis", "space", "pouch", "diverticulum", "sphincter", "membrane", "duct",
        "ducts", "gland", "glands", "hernia", "classification", "equation", "formula", "index", "position", "solution", "bag", "boot",
        "splint", "cast", "mask", "circuit", "scan", "view", "method", "technique", "approach", "type", "factor", "virus", "bacillus",
        "spots", "nodes", "lesion", "lesions", "phenomena", "rule", "rules", "questionnaire", "inventory", "assessment", "protocol",
    ];

    /// <summary>
    /// Capitalized words that name no person although name lists hold them: languages and nationalities, car makes and
    /// models, makers of medical devices, programs.
    /// </summary>
    public static readonly string[] NotNames =
    [
        "english", "spanish", "french", "german", "italian", "portuguese", "russian", "ukrainian", "polish", "chinese", "mandarin",
        "cantonese", "japanese", "korean", "vietnamese", "thai", "lao", "khmer", "hmong", "tagalog", "filipino", "hindi", "urdu",
        "bengali", "punjabi", "gujarati", "tamil", "telugu", "arabic", "farsi", "persian", "dari", "pashto", "turkish", "greek",
        "hebrew", "yiddish", "amharic", "somali", "swahili", "yoruba", "igbo", "hausa", "twi", "haitian", "creole", "samoan", "tongan",
        "navajo", "american", "canadian", "mexican", "african", "asian", "european", "hispanic", "latino", "latina", "caucasian",
        "quechua", "nepali", "burmese", "tigrinya", "oromo", "albanian", "serbian", "croatian", "bosnian", "romanian",
        "hungarian", "czech", "slovak", "dutch", "swedish", "norwegian", "danish", "finnish", "icelandic", "irish", "scottish", "welsh",
        "honda", "toyota", "ford", "chevrolet", "chevy", "nissan", "hyundai", "kia", "subaru", "mazda", "volkswagen", "vw", "bmw",
        "mercedes", "audi", "lexus", "acura", "jeep", "dodge", "ram", "gmc", "buick", "cadillac", "tesla", "volvo", "mitsubishi",
        "chrysler", "lincoln", "civic", "accord", "camry", "corolla", "malibu", "impala", "silverado", "tacoma", "altima", "sentra",
        "rav4", "outback", "forester", "elantra", "sonata", "prius", "f-150", "explorer", "escape", "fusion", "focus", "mustang",
        "medtronic", "abbott", "boston", "scientific", "stryker", "zimmer", "biomet", "baxter", "bard", "becton", "dickinson",
        "philips", "siemens", "hollister", "convatec", "coloplast", "dexcom", "omnipod", "tandem", "insulet", "resmed", "respironics",
        "intellivue", "merlin", "jude", "biotronik", "edwards", "olympus", "pentax", "hologic", "cepheid", "roche", "pfizer",
        "moderna", "novavax", "janssen", "astrazeneca", "lilly", "novo", "nordisk", "sanofi", "merck", "gsk", "huber", "denali",
        "epic", "cerner", "mychart", "medicaid", "medicare", "tricare", "humana", "aetna", "cigna", "anthem", "kaiser", "bcbs",
        "lutheran", "catholic", "baptist", "methodist", "presbyterian", "episcopalian", "pentecostal", "mennonite", "amish", "mormon",
        "muslim", "jewish", "buddhist", "hindu", "sikh", "orthodox", "evangelical", "adventist",
    ];

    /// <summary>
    /// Countries, which Safe Harbor does not ask to remove (only places smaller than a state), named in histories of travel
    /// and birth ("born in Vietnam", "back from Honduras"); those that are also first names or states are left out.
    /// </summary>
    public static readonly string[] Countries =
    [
        "mexico", "guatemala", "honduras", "nicaragua", "panama", "cuba", "haiti", "jamaica", "colombia", "venezuela",
        "ecuador", "peru", "bolivia", "brazil", "argentina", "chile", "uruguay", "paraguay", "canada", "dominican", "puerto", "rico",
        "ireland", "england", "scotland", "wales", "britain", "france", "germany", "italy", "spain", "portugal", "poland", "ukraine",
        "russia", "romania", "greece", "turkey", "israel", "lebanon", "syria", "iraq", "iran", "afghanistan", "pakistan", "bangladesh",
        "nepal", "china", "japan", "korea", "vietnam", "cambodia", "laos", "thailand", "burma", "myanmar", "philippines", "indonesia",
        "malaysia", "nigeria", "ghana", "ethiopia", "eritrea", "somalia", "kenya", "uganda", "congo", "sudan", "egypt", "morocco",
        "liberia", "senegal", "cameroon", "rwanda", "yemen", "taiwan", "australia", "samoa", "tonga", "fiji",
    ];

    /// <summary>
    /// Words that announce a number that is always someone's identifier, whatever its shape (as after "badge"): a store's number, a
    /// blood unit's donation identification number (DIN), a lab's cycle code. Identifier cues of <see cref="PhiKind.Id"/>.
    /// </summary>
    public static readonly string[] StrongNumberCues = ["store", "din", "cycle"];

    /// <summary>The words before a street corner ("corner of Drake Rd and Shields St"): word rule starts.</summary>
    public static readonly string[] CornerCues = ["corner", "intersection", "corners"];

    /// <summary>Words that announce an identifier number, and the kind of identifier they announce.</summary>
    public static readonly KeyValuePair<string, PhiKind>[] IdentifierCues =
    [
        new("mrn", PhiKind.Mrn), new("mr", PhiKind.Mrn), new("mr#", PhiKind.Mrn), new("record", PhiKind.Mrn), new("chart", PhiKind.Mrn),
        new("ssn", PhiKind.Ssn), new("social", PhiKind.Ssn), new("ss#", PhiKind.Ssn),
        new("member", PhiKind.HealthPlan), new("subscriber", PhiKind.HealthPlan), new("policy", PhiKind.HealthPlan), new("insurance", PhiKind.HealthPlan),
        new("medicaid", PhiKind.HealthPlan), new("medicare", PhiKind.HealthPlan), new("mbi", PhiKind.HealthPlan), new("hicn", PhiKind.HealthPlan),
        new("plan", PhiKind.HealthPlan), new("group", PhiKind.HealthPlan), new("beneficiary", PhiKind.HealthPlan), new("payer", PhiKind.HealthPlan),
        new("insured", PhiKind.HealthPlan), new("coverage", PhiKind.HealthPlan),
        new("account", PhiKind.Account), new("acct", PhiKind.Account), new("billing", PhiKind.Account), new("invoice", PhiKind.Account),
        new("statement", PhiKind.Account), new("guarantor", PhiKind.Account), new("har", PhiKind.Account),
        new("license", PhiKind.License), new("licence", PhiKind.License), new("lic", PhiKind.License), new("dea", PhiKind.License), new("clia", PhiKind.License),
        new("npi", PhiKind.License), new("certificate", PhiKind.License), new("cert", PhiKind.License), new("certification", PhiKind.License),
        new("registration", PhiKind.License), new("permit", PhiKind.License), new("passport", PhiKind.License), new("dl", PhiKind.License),
        new("plate", PhiKind.Vehicle), new("vin", PhiKind.Vehicle), new("vehicle", PhiKind.Vehicle), new("tag", PhiKind.Vehicle), new("car", PhiKind.Vehicle),
        new("serial", PhiKind.Device), new("sn", PhiKind.Device), new("s/n", PhiKind.Device), new("udi", PhiKind.Device), new("device", PhiKind.Device),
        new("imei", PhiKind.Device), new("mac", PhiKind.Device), new("pacemaker", PhiKind.Device), new("implant", PhiKind.Device), new("model", PhiKind.Device),
        new("fingerprint", PhiKind.Biometric), new("voiceprint", PhiKind.Biometric), new("biometric", PhiKind.Biometric), new("retinal", PhiKind.Biometric),
        new("retina", PhiKind.Biometric), new("iris", PhiKind.Biometric), new("palmprint", PhiKind.Biometric), new("faceprint", PhiKind.Biometric),
        new("template", PhiKind.Biometric),
        new("phone", PhiKind.Phone), new("tel", PhiKind.Phone), new("telephone", PhiKind.Phone), new("cell", PhiKind.Phone), new("mobile", PhiKind.Phone),
        new("pager", PhiKind.Phone), new("pgr", PhiKind.Phone), new("beeper", PhiKind.Phone), new("ph", PhiKind.Phone), new("ext", PhiKind.Phone), new("extension", PhiKind.Phone),
        new("call", PhiKind.Phone), new("callback", PhiKind.Phone), new("contact", PhiKind.Phone), new("text", PhiKind.Phone), new("home", PhiKind.Phone),
        new("work", PhiKind.Phone), new("office", PhiKind.Phone), new("h", PhiKind.Phone), new("w", PhiKind.Phone), new("c", PhiKind.Phone), new("m", PhiKind.Phone),
        new("fax", PhiKind.Fax), new("facsimile", PhiKind.Fax), new("f", PhiKind.Fax), new("fx", PhiKind.Fax),
        new("zip", PhiKind.Zip), new("zipcode", PhiKind.Zip), new("postal", PhiKind.Zip),
        new("accession", PhiKind.Id), new("acc", PhiKind.Id), new("encounter", PhiKind.Id), new("csn", PhiKind.Id), new("fin", PhiKind.Id),
        new("visit", PhiKind.Id), new("case", PhiKind.Id), new("specimen", PhiKind.Id), new("study", PhiKind.Id), new("requisition", PhiKind.Id),
        new("req", PhiKind.Id), new("order", PhiKind.Id), new("id", PhiKind.Id), new("identifier", PhiKind.Id), new("claim", PhiKind.Id),
        new("ticket", PhiKind.Id), new("confirmation", PhiKind.Id), new("reference", PhiKind.Id), new("trial", PhiKind.Id), new("subject", PhiKind.Id),
        new("enrollment", PhiKind.Id), new("participant", PhiKind.Id), new("barcode", PhiKind.Id), new("badge", PhiKind.Id), new("cdcr", PhiKind.Id), new("employee", PhiKind.Id),
        new("prescription", PhiKind.Id), new("rx", PhiKind.Id), new("authorization", PhiKind.Id), new("auth", PhiKind.Id), new("tracking", PhiKind.Id),
        new("report", PhiKind.Id), new("batch", PhiKind.Id), new("job", PhiKind.Id), new("doc", PhiKind.Id), new("dictation", PhiKind.Id), new("sample", PhiKind.Id), new("slide", PhiKind.Id), new("block", PhiKind.Id), new("no", PhiKind.Id),
        new("inmate", PhiKind.Id), new("booking", PhiKind.Id), new("offender", PhiKind.Id), new("prisoner", PhiKind.Id), new("detainee", PhiKind.Id),
        new("docket", PhiKind.Id), new("ref", PhiKind.Id), new("username", PhiKind.Id), new("user", PhiKind.Id), new("login", PhiKind.Id), new("userid", PhiKind.Id),
        new("wechat", PhiKind.Id), new("whatsapp", PhiKind.Id), new("skype", PhiKind.Id), new("handle", PhiKind.Id),
        new("number", PhiKind.Id), new("num", PhiKind.Id), new("patient", PhiKind.Mrn), new("pt", PhiKind.Mrn), new("hospital", PhiKind.Mrn), new("unit", PhiKind.Id),
        new("uid", PhiKind.Id), new("last4", PhiKind.Ssn), new("gate", PhiKind.Id), new("lockbox", PhiKind.Id), new("keypad", PhiKind.Id), new("keysafe", PhiKind.Id),
    ];

    /// <summary>
    /// Round 10's identifier cues: the words before a national number (Brazilian CPF, Aadhaar, Irish PPSN), a health-plan
    /// number abroad (French "sécurité sociale", Brazilian "SUS", PhilHealth) and a phone in French, Portuguese and Spanish.
    /// </summary>
    public static readonly KeyValuePair<string, PhiKind>[] IdentifierCues10 =
    [
        new("cpf", PhiKind.Id), new("aadhaar", PhiKind.Id), new("ppsn", PhiKind.Id),
        new("sociale", PhiKind.HealthPlan), new("sus", PhiKind.HealthPlan), new("philhealth", PhiKind.HealthPlan),
        new("portable", PhiKind.Phone), new("telefone", PhiKind.Phone), new("celular", PhiKind.Phone),
    ];

    /// <summary>
    /// Round 23's identifier cues: a health record number ("HRN", the Indian Health Service's MRN), a claim's internal
    /// control number ("ICN"), a commercial driver's licence ("CDL") and a plan group written short ("Grp").
    /// </summary>
    public static readonly KeyValuePair<string, PhiKind>[] IdentifierCues23 =
    [
        new("hrn", PhiKind.Mrn), new("icn", PhiKind.Id), new("cdl", PhiKind.License), new("grp", PhiKind.HealthPlan),
    ];

    /// <summary>
    /// Phone cues with accented letters ("tél.", "teléfono", "móvil"): identifier cues of <see cref="PhiKind.Phone"/> kept out
    /// of the cue-to-kind map, whose keys stay ASCII; the grouped-number rule knows their kind.
    /// </summary>
    public static readonly string[] AccentedPhoneCues10 = ["tél", "teléfono", "móvil"];
}
