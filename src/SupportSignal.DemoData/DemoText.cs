using System.Text;

using Bogus;

using SupportSignal.Data.Entities;

namespace SupportSignal.DemoData;

/// <summary>
/// Phrase banks for incident prose. Sentences are assembled from templates rather than
/// Bogus lorem because the text must read like a support worker's report and name the
/// participant and staff, and because it has to be produced for millions of rows quickly.
/// Placeholders: {P} participant first name, {S} reporting staff member, {S2} a colleague, {L} location.
/// </summary>
internal static class DemoText
{
    // A share of names outside ASCII, so exports and tools are exercised on real Unicode.
    public static readonly string[] UnicodeFirstNames =
        ["Zoë", "José", "Ngaio", "Siobhán", "Aroha", "Renée", "Chloé", "Đức", "Mía", "Björn", "Anaïs", "Tāne", "Søren", "Noémie", "Łukasz"];

    public static readonly string[] UnicodeLastNames =
        ["Nguyễn", "O'Brien", "Müller", "Tūhoe", "García-López", "Ó Súilleabháin", "Kowalczyk", "D'Souza", "Pérez", "Åberg"];

    public static readonly string[] Relations = ["mother", "father", "sister", "brother", "guardian", "partner", "aunt", "public guardian", "support coordinator"];

    public static readonly string[] CompanyFirstWords =
        ["Banksia", "Wattle", "Riverbend", "Southern Cross", "Harbourside", "Bluegum", "Coastal", "Ironbark", "Jacaranda", "Sunrise",
         "Kookaburra", "Lilly Pilly", "Red Gum", "Waratah", "Mallee", "Tallowood", "Seachange", "Boronia"];

    public static readonly string[] CompanySecondWords =
        ["Community Care", "Support Services", "Disability Services", "Living Supports", "Care Collective", "Inclusion Partners",
         "Supported Living", "Ability Services", "Lifestyle Supports"];

    public static readonly string[] SiteKinds = ["House", "SIL Residence", "Day Program", "Respite Centre", "Community Hub", "Group Home"];

    public static readonly string[] Locations =
        ["lounge room", "kitchen", "dining room", "bathroom", "bedroom", "backyard", "front verandah", "day program activity room",
         "sensory room", "community centre car park", "Westfield food court", "bus stop outside the house", "local swimming pool",
         "company vehicle (Toyota HiAce)", "GP clinic waiting room", "supermarket checkout", "laundry", "hallway near the office"];

    public static readonly string[] AiModels = ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "claude-3-5-sonnet-20241022", "claude-3-5-haiku-20241022"];

    private static readonly string[] _careNoteTemplates =
    [
        "{P} communicates mostly with short phrases and a Lámh-style sign set; give {P} time to respond.",
        "{P} enjoys music, swimming and helping in the kitchen. Morning routine matters: a change without warning can unsettle {P}.",
        "Epilepsy management plan in the office folder. {P} takes medication at 8am and 8pm; PRN needs a team lead's approval.",
        "{P} uses a wheelchair outdoors and a walking frame indoors. Two-person assist for transfers.",
        "Positive behaviour support plan in place. Known triggers for {P}: loud noise, crowded shops, waiting in queues.",
        "{P} has type 2 diabetes; check BGL before meals and record it in the \"BGL chart\".",
        "{P} prefers female support workers for personal care and likes to be called by first name.",
        "Mealtime management plan: soft diet (IDDSI level 6) and supervision while eating. {P} eats slowly.",
        "{P} is learning to catch the bus independently; shadow at a distance and let {P} lead.",
    ];

    private static readonly Dictionary<IncidentType, string[][]> _phases = new()
    {
        [IncidentType.Behavioural] =
        [
            [
                "{P} had been calm through the morning routine and finished breakfast in the {L}.",
                "{S} noticed {P} pacing and asking repeatedly when the bus would arrive.",
                "The house was busier than usual because a maintenance contractor was working outside.",
                "{P} had slept poorly according to the night shift notes.",
                "Earlier, {P} had been told that the planned outing to the pool was cancelled because of rain.",
            ],
            [
                "{P} began shouting \"leave me alone\" and threw a cup towards the wall.",
                "{P} pushed past {S2} in the doorway and banged on the window with an open hand.",
                "{S} kept a safe distance, lowered their voice and offered {P} the headphones from the sensory kit.",
                "{P} knocked a chair over and tried to leave through the back door.",
                "Other residents were guided to the {L} by {S2} while {S} stayed with {P}.",
            ],
            [
                "After about ten minutes {P} sat down on the couch and accepted a glass of water.",
                "{P} settled once the contractor left and the television was switched off.",
                "{S} used the strategies in the behaviour support plan and {P} calmed without any restrictive practice.",
                "{P} apologised to {S2} and asked to go for a walk around the block.",
            ],
            [
                "{S} checked {P} for injuries and found none; {S2} had a small red mark on the forearm.",
                "The team lead was phoned and the incident was entered in SupportSignal before the end of the shift.",
                "{P}'s guardian was informed by phone at the end of the shift.",
                "The behaviour support practitioner will be asked to review the plan at the next meeting.",
                "{P} spent the rest of the afternoon drawing in the {L} and was in good spirits at dinner.",
            ],
        ],
        [IncidentType.Medical] =
        [
            [
                "{P} said they felt \"a bit dizzy\" after lunch in the {L}.",
                "{S} gave {P} the 12 pm medication as charted and recorded it in the medication log.",
                "{P} had not drunk much water during the hot morning outing.",
                "{P} was sitting with {S2} doing a puzzle and seemed more tired than usual.",
            ],
            [
                "{P} slumped sideways in the chair and did not respond to their name for about 40 seconds.",
                "{S} recognised seizure activity, timed it, and placed {P} in the recovery position.",
                "{P} fell while walking to the bathroom and hit their knee on the door frame.",
                "{S2} brought the first aid kit and the epilepsy management plan from the office.",
                "{P}'s blood glucose reading was 3.1 mmol/L, so {S} followed the hypo procedure.",
            ],
            [
                "{P} regained awareness after two minutes and was able to say where they were.",
                "The ambulance arrived within 15 minutes and paramedics assessed {P} at the house.",
                "After juice and a sandwich {P}'s reading rose to 6.4 mmol/L.",
                "{P} was helped back to the couch and rested with a cold pack on the knee.",
            ],
            [
                "{S} completed the medication incident form and informed the on-call team lead.",
                "{P}'s GP appointment was booked for the next morning.",
                "{P}'s family were told what happened and asked to bring the new prescription.",
                "Observations were taken hourly for the rest of the shift and recorded in the progress notes.",
            ],
        ],
        [IncidentType.Environmental] =
        [
            [
                "The floor in the {L} had just been mopped and a wet-floor sign was not yet in place.",
                "Strong winds overnight had brought branches down across the driveway.",
                "{S} and {P} were preparing to leave for the day program in the company vehicle.",
                "The smoke alarm in the hallway had been chirping since morning because of a low battery.",
            ],
            [
                "{P} slipped on the wet tiles and landed on their hip.",
                "The fire alarm sounded and {P} became distressed and covered their ears.",
                "A power outage left the {L} dark and {P} could not find the light switch.",
                "{S2} noticed smoke from the toaster and switched off the power at the wall.",
            ],
            [
                "{S} helped {P} to a chair once it was clear there was no serious injury.",
                "Everyone was evacuated to the assembly point at the letterbox and accounted for.",
                "Power was restored after about 20 minutes and {P} returned to the {L}.",
            ],
            [
                "A maintenance request was logged for the hazard and the area was taped off.",
                "{S} reminded the team about the wet-floor sign procedure at handover.",
                "The property manager was notified by e-mail with photos attached.",
                "{P} was checked again an hour later and reported no pain.",
            ],
        ],
        [IncidentType.Communication] =
        [
            [
                "{P} arrived at the day program without the communication book from home.",
                "A new support worker, {S2}, was on shift and had not met {P} before.",
                "The roster changed at short notice and {P} was not told who would be supporting them.",
            ],
            [
                "{P} tried to tell {S2} they were in pain but was not understood and became upset.",
                "{P} repeatedly signed \"home\" and pointed at the door.",
                "A message about {P}'s changed medication was not passed on at handover.",
            ],
            [
                "{S} used the picture board and {P} pointed to \"tooth\" and \"hurt\".",
                "{P} calmed once {S} explained the plan for the afternoon using the visual schedule.",
                "The misunderstanding was resolved when the team lead called {P}'s family.",
            ],
            [
                "The handover template will now include a line for communication needs.",
                "{S2} will complete {P}'s communication profile training before the next shift.",
                "A dental appointment was booked for {P}.",
            ],
        ],
        [IncidentType.Other] =
        [
            [
                "{P} went with {S} to the shops to buy groceries for the week.",
                "{P} had received a parcel and was excited to open it in the {L}.",
                "It was {P}'s birthday and family were due to visit in the afternoon.",
            ],
            [
                "{P}'s wallet could not be found after paying at the {L}.",
                "{P} gave their bank card PIN to a stranger who offered help at the ATM.",
                "A neighbour shouted at {P} over the fence about noise.",
            ],
            [
                "{S} retraced the route with {P} and the wallet was handed in at the service desk.",
                "{S} helped {P} phone the bank and the card was cancelled.",
                "{S2} spoke calmly with the neighbour and {P} went inside.",
            ],
            [
                "{P}'s money handling plan will be reviewed with their plan nominee.",
                "The team lead was informed and the incident was logged for follow-up.",
                "{P} said they felt \"much better now\" and joined the group for dinner.",
            ],
        ],
    };

    private static readonly string[][] _enhancementLeads =
    [
        ["At about {T}, ", "Earlier that day, ", "Before the incident, "],
        ["During the incident, ", "At approximately {T}, ", "While in the {L}, "],
        ["To resolve the situation, ", "The incident ended when ", "By the end of the incident, "],
        ["After the incident, ", "Following the incident, ", "In the hours afterwards, "],
    ];

    private static readonly string[][] _questions =
    [
        [
            "What was {P} doing in the 30 minutes before the incident?",
            "Had anything changed in {P}'s routine that day?",
            "How had {P} slept the night before?",
            "Who else was present in the {L} before the incident started?",
        ],
        [
            "What exactly did {P} say or do when the incident began?",
            "Which strategies from {P}'s support plan did staff use?",
            "Was anyone injured, and how?",
            "How long did the most intense part of the incident last?",
        ],
        [
            "What helped {P} to settle?",
            "How did staff know the incident was over?",
            "Was any restrictive practice used? If so, which and for how long?",
        ],
        [
            "Who was notified after the incident, and when?",
            "How was {P} for the rest of the shift?",
            "What follow-up actions have been agreed?",
            "Were first aid or medical checks needed afterwards?",
        ],
    ];

    private static readonly string[][] _answers =
    [
        [
            "{P} was in the {L} watching TV with {S2}. Nothing unusual until about ten minutes before.",
            "The usual morning worker was on leave, so {S} was covering; {P} asked about it twice.",
            "Night notes say {P} was up at 2am and again at 4am.",
            "Two other residents and {S2} were there; it was noisy because of the contractor.",
        ],
        [
            "{P} said \"no, no, go away\" and then threw the cup. It hit the wall, not a person.",
            "Low voice, offering choices, headphones from the sensory kit, giving {P} space.",
            "No injury to {P}. {S2} had a red mark on the arm, no first aid needed.",
            "About five minutes, then it eased off over another five.",
        ],
        [
            "Quiet, dimmed lights and a glass of water. {P} likes the blue cushion.",
            "{P} sat down, breathing slowed and {P} started talking normally to {S}.",
            "No restrictive practice was used.",
        ],
        [
            "Team lead by phone at the time; guardian at 5pm.",
            "Settled, ate dinner, watched a movie with {S2}.",
            "BSP review requested; roster note so {P} is told about changes in advance.",
            "Yes, a quick check by {S}; nothing found.",
        ],
    ];

    private static readonly string[] _conditions =
    [
        "Change to {P}'s usual routine without notice",
        "Environmental noise from contractors working nearby",
        "Poor sleep the night before",
        "Unfamiliar support worker ({S2}) on shift",
        "Pain or discomfort that {P} could not communicate",
        "Missed or delayed medication",
        "Hot weather and low fluid intake",
        "Crowded public setting ({L})",
        "Handover information not passed on",
        "Hazard in the environment not yet controlled",
    ];

    private static readonly string[] _reviewNotes =
    [
        "Agree with the AI classification; severity raised because {S2} was hurt.",
        "Reviewed with {S}. Classification confirmed.",
        "Changed from behavioural: {P}'s distress was due to pain, not behaviour.",
        "Discussed at the team meeting; no change.",
    ];

    public static string CareNotes(Randomizer r, string firstName)
    {
        var first = r.Number(0, _careNoteTemplates.Length - 1);
        var second = (first + r.Number(1, _careNoteTemplates.Length - 1)) % _careNoteTemplates.Length;
        return Fill(_careNoteTemplates[first] + " " + _careNoteTemplates[second], firstName, "", "", "");
    }

    /// <summary>Two or three sentences for a narrative phase, naming the participant and staff.</summary>
    public static string Phase(Randomizer r, IncidentType type, NarrativePhase phase, in Cast cast)
    {
        var bank = _phases[type][(int)phase];
        var count = Math.Min(bank.Length, r.Number(2, 3));
        var start = r.Number(0, bank.Length - 1);
        var sb = new StringBuilder(count * 110);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            sb.Append(bank[(start + i) % bank.Length]);
        }

        return cast.Fill(sb.ToString());
    }

    /// <summary>The AI-enhanced version: the worker's account, framed in time and place, plus what the answers added.</summary>
    public static string Enhanced(Randomizer r, NarrativePhase phase, string original, string time, in Cast cast)
    {
        var lead = cast.Fill(r.ArrayElement(_enhancementLeads[(int)phase]).Replace("{T}", time, StringComparison.Ordinal));
        var answer = cast.Fill(r.ArrayElement(_answers[(int)phase]));
        return lead + char.ToLowerInvariant(original[0]) + original[1..] + " Clarification from staff: " + answer;
    }

    public static string Question(NarrativePhase phase, int index, in Cast cast) =>
        cast.Fill(_questions[(int)phase][index % _questions[(int)phase].Length]);

    public static int QuestionCount(NarrativePhase phase) => _questions[(int)phase].Length;

    public static string Answer(NarrativePhase phase, int index, in Cast cast) =>
        cast.Fill(_answers[(int)phase][index % _answers[(int)phase].Length]);

    public static string Conditions(Randomizer r, in Cast cast)
    {
        var count = r.Number(2, 4);
        var start = r.Number(0, _conditions.Length - 1);
        var sb = new StringBuilder("Contributing conditions identified:");
        for (var i = 0; i < count; i++)
        {
            sb.Append("\n- ").Append(_conditions[(start + (i * 3)) % _conditions.Length]);
        }

        return cast.Fill(sb.ToString());
    }

    public static string ReviewNote(Randomizer r, in Cast cast) => cast.Fill(r.ArrayElement(_reviewNotes));

    private static string Fill(string template, string participant, string staff, string colleague, string location) =>
        template
            .Replace("{P}", participant, StringComparison.Ordinal)
            .Replace("{S2}", colleague, StringComparison.Ordinal)
            .Replace("{S}", staff, StringComparison.Ordinal)
            .Replace("{L}", location, StringComparison.Ordinal);

    /// <summary>The people and place one incident's prose refers to.</summary>
    public readonly record struct Cast(string Participant, string Staff, string Colleague, string Location)
    {
        public string Fill(string template) => DemoText.Fill(template, Participant, Staff, Colleague, Location);
    }
}
