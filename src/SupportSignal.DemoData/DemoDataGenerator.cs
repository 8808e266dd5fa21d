using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Bogus;

using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

using SupportSignal.Data;
using SupportSignal.Data.Entities;

namespace SupportSignal.DemoData;

/// <summary>The database already holds data the generator would collide with.</summary>
public sealed class DemoDataException(string message) : Exception(message);

/// <summary>
/// Fills an empty database with realistic, deterministic NDIS incident data: the same options
/// and seed give the same rows (apart from password hashes, whose salt is random by design).
/// Rows go in through <see cref="BulkInserter"/> one incident at a time, so memory stays flat
/// and a 200,000-incident benchmark set loads in about a minute.
/// </summary>
public static class DemoDataGenerator
{
    private const int IncidentsPerBatch = 2_000;
    private const int QuestionsPerPhase = 2;
    private static readonly DateTime _epoch = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan _incidentSpan = TimeSpan.FromDays(900);
    private static readonly NarrativePhase[] _phases = Enum.GetValues<NarrativePhase>();
    private static readonly JsonSerializerOptions _json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<DemoDataSummary> SeedAsync(
        SupportSignalDbContext db, DemoDataOptions options, IProgress<SeedProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Validate(options);
        if (await db.Companies.AnyAsync(cancellationToken) || await db.Incidents.AnyAsync(cancellationToken))
        {
            throw new DemoDataException("The database already holds companies or incidents; demo data is only generated into an empty database.");
        }

        var stopwatch = Stopwatch.StartNew();
        await using var inserter = await BulkInserter.OpenAsync(db, cancellationToken);
        var run = new Run(options, inserter, progress);
        var existingRoles = await db.Roles.ToDictionaryAsync(r => r.Name!, r => r.Id, cancellationToken);

        inserter.BeginBatch();
        run.Tenancy(existingRoles);
        inserter.CommitBatch();
        run.ReportTables("roles", "users", "companies", "sites", "participants", "ai_prompts", "user_invitations", "impersonation_sessions");

        for (var start = 0; start < options.Incidents; start += IncidentsPerBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var end = Math.Min(options.Incidents, start + IncidentsPerBatch);
            inserter.BeginBatch();
            for (var i = start; i < end; i++)
            {
                run.Incident(i);
            }

            inserter.CommitBatch();
            progress?.Report(new SeedProgress("incidents", end, options.Incidents));
        }

        run.ReportTables(
            "incident_narratives", "clarification_questions", "clarification_answers", "incident_analysis", "incident_classifications",
            "enhanced_narratives", "workflow_handoffs", "ai_request_logs", "debug_logs");
        return new DemoDataSummary(new Dictionary<string, long>(inserter.RowsWritten), stopwatch.Elapsed);
    }

    private static void Validate(DemoDataOptions options)
    {
        static void Require(bool ok, string what)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(nameof(options), what);
            }
        }

        Require(options.Companies is >= 1 and <= 10_000, "companies must be between 1 and 10,000");
        Require(options.SitesPerCompany is >= 1 and <= 100, "sites per company must be between 1 and 100");
        Require(options.Users is >= 2 and <= 100_000, "users must be between 2 and 100,000");
        Require(options.Participants is >= 1 and <= 10_000_000, "participants must be between 1 and 10,000,000");
        Require(options.Incidents is >= 0 and <= 10_000_000, "incidents must be between 0 and 10,000,000");
    }

    private sealed class Run(DemoDataOptions options, BulkInserter inserter, IProgress<SeedProgress>? progress)
    {
        private readonly Randomizer _r = new(options.RandomSeed);
        private readonly DemoIds _ids = new(new Randomizer(options.RandomSeed ^ 0x5EED), _epoch);
        private readonly List<Company> _companies = [];
        private readonly List<Site> _sites = [];
        private readonly List<Participant> _participants = [];
        private readonly List<User> _users = [];
        private readonly Dictionary<Guid, List<User>> _staffByCompany = [];
        private readonly List<User> _admins = [];

        public void ReportTables(params string[] tables)
        {
            foreach (var table in tables)
            {
                var rows = inserter.RowsWritten.GetValueOrDefault(table);
                progress?.Report(new SeedProgress(table, rows, rows));
            }
        }

        public void Tenancy(IReadOnlyDictionary<string, Guid> existingRoles)
        {
            var names = new Bogus.DataSets.Name("en_AU") { Random = _r };
            var roleIds = Roles(existingRoles);
            CompaniesAndSites();
            Users(names, roleIds);
            Participants(names);
            Prompts();
            InvitationsAndImpersonations(names);
        }

        private Dictionary<AppRole, Guid> Roles(IReadOnlyDictionary<string, Guid> existing)
        {
            var ids = new Dictionary<AppRole, Guid>();
            foreach (var role in Enum.GetValues<AppRole>())
            {
                var name = AccountSeeder.RoleName(role);
                if (existing.TryGetValue(name, out var id))
                {
                    ids[role] = id;
                    continue;
                }

                ids[role] = _ids.Next();
                inserter.Insert(new Role { Id = ids[role], Name = name, NormalizedName = name.ToUpperInvariant(), ConcurrencyStamp = _ids.Next().ToString() });
                foreach (var permission in Permissions(role))
                {
                    inserter.Insert(new IdentityRoleClaim<Guid> { RoleId = ids[role], ClaimType = "permission", ClaimValue = permission });
                }
            }

            return ids;
        }

        private static string[] Permissions(AppRole role) => role switch
        {
            AppRole.SystemAdmin => ["system:manage", "export:database", "users:impersonate", "companies:manage"],
            AppRole.DemoAdmin => ["demo:reset", "companies:view"],
            AppRole.CompanyAdmin => ["company:manage", "users:invite", "incidents:view_all"],
            AppRole.TeamLead => ["incidents:analyse", "incidents:view_team"],
            _ => ["incidents:capture"],
        };

        private void CompaniesAndSites()
        {
            var address = new Bogus.DataSets.Address("en_AU") { Random = _r };
            for (var c = 0; c < options.Companies; c++)
            {
                var name = $"{DemoText.CompanyFirstWords[c % DemoText.CompanyFirstWords.Length]} {_r.ArrayElement(DemoText.CompanySecondWords)}";
                if (c >= DemoText.CompanyFirstWords.Length)
                {
                    name += $" {(c / DemoText.CompanyFirstWords.Length) + 1}";
                }

                var slug = Slug(name);
                var company = new Company
                {
                    Id = _ids.Next(),
                    Name = name,
                    Slug = slug,
                    ContactEmail = _r.Bool(0.9f) ? $"admin@{slug}.example.com" : null,
                    Status = _r.WeightedRandom([CompanyStatus.Active, CompanyStatus.Trial, CompanyStatus.Suspended], [0.8f, 0.15f, 0.05f]),
                    CreatedAt = _epoch.AddDays(-_r.Number(30, 700)),
                };
                _companies.Add(company);
                _staffByCompany[company.Id] = [];
                inserter.Insert(company);

                for (var s = 0; s < options.SitesPerCompany; s++)
                {
                    var site = new Site
                    {
                        Id = _ids.Next(),
                        CompanyId = company.Id,
                        Name = $"{address.StreetName()} {_r.ArrayElement(DemoText.SiteKinds)}",
                        Address = _r.Bool(0.95f) ? $"{address.StreetAddress()}, {address.City()} {address.StateAbbr()} {address.ZipCode()}" : null,
                        Status = _r.Bool(0.9f) ? SiteStatus.Active : SiteStatus.Inactive,
                        CreatedAt = company.CreatedAt.AddDays(_r.Number(0, 60)),
                    };
                    _sites.Add(site);
                    inserter.Insert(site);
                }
            }
        }

        private void Users(Bogus.DataSets.Name names, Dictionary<AppRole, Guid> roleIds)
        {
            AppRole[] cycle = [AppRole.CompanyAdmin, AppRole.TeamLead, AppRole.FrontlineWorker, AppRole.FrontlineWorker];
            var phones = new Bogus.DataSets.PhoneNumbers("en_AU") { Random = _r };
            var hashOnce = new Dictionary<int, string>();
            for (var i = 0; i < options.Users; i++)
            {
                var role = i switch { 0 => AppRole.SystemAdmin, 1 => AppRole.DemoAdmin, _ => cycle[(i - 2) % cycle.Length] };
                var company = role is AppRole.SystemAdmin or AppRole.DemoAdmin ? null : _companies[(i - 2) / cycle.Length % _companies.Count];
                var (first, last) = PersonName(names);
                var domain = company is null ? "supportsignal.example.com" : $"{company.Slug}.example.com";
                var email = $"{Slug(first)}.{Slug(last)}{i}@{domain}";
                var user = AccountSeeder.NewUser(email, $"{first} {last}", role, company?.Id, _epoch.AddDays(-_r.Number(1, 365)), _ids.Next());
                user.SecurityStamp = _ids.Hex(16);
                user.ConcurrencyStamp = _ids.Next().ToString();
                user.PhoneNumber = _r.Bool(0.6f) ? phones.PhoneNumber("04## ### ###") : null;
                user.TwoFactorEnabled = _r.Bool(0.2f);
                user.AccessFailedCount = _r.Bool(0.1f) ? _r.Number(1, 3) : 0;
                user.ProfileImageUrl = _r.Bool(0.3f) ? $"https://cdn.supportsignal.example.com/avatars/{user.Id:N}.png" : null;
                // PBKDF2 at Identity's default cost is ~50 ms a hash: the first 40 users get their
                // own, later ones share their role's. Every stored hash is real and verifiable.
                user.PasswordHash = i < 40 || !hashOnce.TryGetValue((int)role, out var shared)
                    ? hashOnce[(int)role] = AccountSeeder.HashPassword(user, options.UserPassword)
                    : shared;
                _users.Add(user);
                inserter.Insert(user);
                inserter.Insert(new IdentityUserRole<Guid> { UserId = user.Id, RoleId = roleIds[role] });
                inserter.Insert(new IdentityUserClaim<Guid> { UserId = user.Id, ClaimType = "display_name", ClaimValue = user.Name });

                if (company is not null)
                {
                    _staffByCompany[company.Id].Add(user);
                }

                if (role is AppRole.SystemAdmin or AppRole.DemoAdmin or AppRole.CompanyAdmin)
                {
                    _admins.Add(user);
                }

                if (_r.Bool(0.3f))
                {
                    inserter.Insert(new IdentityUserLogin<Guid>
                    {
                        LoginProvider = "Microsoft",
                        ProviderKey = _ids.Token(24),
                        ProviderDisplayName = "Microsoft",
                        UserId = user.Id,
                    });
                }

                if (user.TwoFactorEnabled)
                {
                    inserter.Insert(new IdentityUserToken<Guid>
                    {
                        UserId = user.Id,
                        LoginProvider = "[AspNetUserStore]",
                        Name = "AuthenticatorKey",
                        Value = _ids.Hex(20),
                    });
                }
            }
        }

        private void Participants(Bogus.DataSets.Name names)
        {
            var phones = new Bogus.DataSets.PhoneNumbers("en_AU") { Random = _r };
            for (var i = 0; i < options.Participants; i++)
            {
                var company = _companies[i % _companies.Count];
                var companySites = SitesOf(company);
                var (first, last) = PersonName(names);
                var (contactFirst, _) = PersonName(names);
                var created = company.CreatedAt.AddDays(_r.Number(1, 200));
                var participant = new Participant
                {
                    Id = _ids.Next(),
                    CompanyId = company.Id,
                    SiteId = _r.Bool(0.9f) ? _r.ArrayElement(companySites).Id : null,
                    FirstName = first,
                    LastName = last,
                    DateOfBirth = DateOnly.FromDateTime(new DateTime(1950, 1, 1).AddDays(_r.Number(0, 58 * 365))),
                    NdisNumber = _r.Bool(0.95f) ? "43" + _r.Number(0, 9_999_999).ToString("D7", CultureInfo.InvariantCulture) : null,
                    ContactPhone = _r.Bool(0.7f) ? phones.PhoneNumber("04## ### ###") : null,
                    EmergencyContact = _r.Bool(0.8f) ? $"{contactFirst} {last} ({_r.ArrayElement(DemoText.Relations)}) {phones.PhoneNumber("04## ### ###")}" : null,
                    SupportLevel = _r.WeightedRandom([SupportLevel.High, SupportLevel.Medium, SupportLevel.Low], [0.3f, 0.5f, 0.2f]),
                    CareNotes = _r.Bool(0.85f) ? DemoText.CareNotes(_r, first) : null,
                    Status = _r.WeightedRandom([ParticipantStatus.Active, ParticipantStatus.Inactive, ParticipantStatus.Discharged], [0.85f, 0.1f, 0.05f]),
                    CreatedAt = created,
                    CreatedBy = Staff(company).Id,
                };
                if (_r.Bool(0.3f))
                {
                    participant.UpdatedAt = created.AddDays(_r.Number(1, 300));
                    participant.UpdatedBy = Staff(company).Id;
                }

                _participants.Add(participant);
                inserter.Insert(participant);
            }
        }

        private void Prompts()
        {
            (string Name, string Step, string Template)[] prompts =
            [
                ("generate_clarification_questions", "clarification", "You are assisting a disability support team lead. Read the {{phase}} account of the incident below and ask up to {{max_questions}} short questions that would make it complete.\n\n{{narrative}}"),
                ("enhance_narrative", "enhancement", "Rewrite the worker's account of the {{phase}} phase as a clear, factual narrative. Keep every fact, add the clarifications below, invent nothing.\n\nAccount:\n{{narrative}}\n\nClarifications:\n{{answers}}"),
                ("analyze_contributing_conditions", "analysis", "List the contributing conditions of this incident as short bullet points, most important first.\n\n{{consolidated_narrative}}"),
                ("classify_incident", "classification", "Classify the incident as behavioural, environmental, medical, communication or other, with a severity (low, medium, high), a confidence between 0 and 1 and the supporting evidence.\n\n{{consolidated_narrative}}"),
                ("generate_mock_answers", "testing", "Answer each clarification question as the support worker {{reporter_name}} would, in one or two sentences.\n\n{{questions}}"),
            ];
            var created = _epoch.AddDays(-20);
            foreach (var (name, step, template) in prompts)
            {
                for (var version = 1; version <= 2; version++)
                {
                    var active = version == 2;
                    inserter.Insert(new AiPrompt
                    {
                        Id = _ids.Next(),
                        PromptName = name,
                        PromptVersion = $"v{version}.{_r.Number(0, 4)}",
                        PromptTemplate = version == 1 ? template.Replace("short ", "", StringComparison.Ordinal) : template,
                        Description = $"{step[..1].ToUpperInvariant()}{step[1..]} step of the incident workflow",
                        WorkflowStep = step,
                        Subsystem = "incident_capture",
                        AiModel = _r.ArrayElement(DemoText.AiModels),
                        MaxTokens = _r.ArrayElement(new[] { 800, 1200, 2000 }),
                        Temperature = Math.Round(_r.Double(0.1, 0.7), 2),
                        IsActive = active,
                        CreatedAt = created.AddDays(version * 90),
                        CreatedBy = _users[0].Id,
                        ReplacedAt = active ? null : created.AddDays(180),
                        UsageCount = _r.Number(0, options.Incidents * 2),
                        AverageResponseTimeMs = Math.Round(_r.Double(800, 9000), 1),
                        SuccessRate = Math.Round(_r.Double(0.9, 1.0), 4),
                    });
                }
            }
        }

        private void InvitationsAndImpersonations(Bogus.DataSets.Name names)
        {
            foreach (var company in _companies)
            {
                for (var k = 0; k < 2; k++)
                {
                    var (first, last) = PersonName(names);
                    var created = _epoch.AddDays(_r.Number(0, 800));
                    var status = _r.ArrayElement(Enum.GetValues<InvitationStatus>());
                    inserter.Insert(new UserInvitation
                    {
                        Id = _ids.Next(),
                        Email = $"{Slug(first)}.{Slug(last)}@{company.Slug}.example.com",
                        Role = _r.Bool() ? AppRole.FrontlineWorker : AppRole.TeamLead,
                        CompanyId = company.Id,
                        InvitedBy = Admin().Id,
                        InvitationToken = _ids.Token(),
                        Status = status,
                        ExpiresAt = created.AddDays(7),
                        CreatedAt = created,
                        AcceptedAt = status == InvitationStatus.Accepted ? created.AddHours(_r.Number(1, 100)) : null,
                    });
                }
            }

            for (var k = 0; k < Math.Max(3, options.Users / 3); k++)
            {
                var created = _epoch.AddDays(_r.Number(0, 800)).AddMinutes(_r.Number(0, 1440));
                var active = _r.Bool(0.1f);
                inserter.Insert(new ImpersonationSession
                {
                    Id = _ids.Next(),
                    AdminUserId = _users[_r.Number(0, 1)].Id,
                    TargetUserId = _r.ListItem(_users).Id,
                    SessionToken = _ids.Token(),
                    OriginalSessionToken = _ids.Token(),
                    Reason = _r.ArrayElement(new[]
                    {
                        "Customer support ticket: worker cannot see the incident they started.",
                        "Reproducing a bug reported by the company admin.",
                        "Checking what a team lead sees on the analysis screen.",
                    }),
                    ExpiresAt = created.AddMinutes(30),
                    IsActive = active,
                    CreatedAt = created,
                    TerminatedAt = active ? null : created.AddMinutes(_r.Number(2, 30)),
                    CorrelationId = _ids.Next().ToString(),
                });
            }
        }

        public void Incident(int index)
        {
            var participant = _participants[_r.Number(0, _participants.Count - 1)];
            var company = _companies.Find(c => c.Id == participant.CompanyId)!;
            var reporter = Staff(company);
            var colleague = Staff(company);
            var type = _r.WeightedRandom(Enum.GetValues<IncidentType>(), [0.35f, 0.2f, 0.25f, 0.12f, 0.08f]);
            var created = _epoch + (_incidentSpan * ((double)index / Math.Max(1, options.Incidents))) + TimeSpan.FromMinutes(_r.Number(0, 600));
            var eventTime = created.AddMinutes(-_r.Number(10, 60 * 48));
            var location = _r.ArrayElement(DemoText.Locations);
            var cast = new DemoText.Cast(participant.FirstName, FirstWord(reporter.Name), FirstWord(colleague.Name), location);

            var capture = _r.WeightedRandom([CaptureStatus.Draft, CaptureStatus.InProgress, CaptureStatus.Completed], [0.08f, 0.12f, 0.8f]);
            var analysis = capture != CaptureStatus.Completed
                ? AnalysisStatus.NotStarted
                : _r.WeightedRandom([AnalysisStatus.NotStarted, AnalysisStatus.InProgress, AnalysisStatus.Completed], [0.2f, 0.2f, 0.6f]);
            var questions = capture != CaptureStatus.Draft;
            var enhanced = capture == CaptureStatus.Completed;
            var analysed = analysis != AnalysisStatus.NotStarted;
            var incident = new Incident
            {
                Id = _ids.Next(),
                CompanyId = company.Id,
                SiteId = participant.SiteId ?? (_r.Bool(0.5f) ? _r.ArrayElement(SitesOf(company)).Id : null),
                ParticipantId = _r.Bool(0.97f) ? participant.Id : null,
                ReporterName = reporter.Name,
                ParticipantName = $"{participant.FirstName} {participant.LastName}",
                EventDateTime = eventTime,
                Location = location,
                CaptureStatus = capture,
                AnalysisStatus = analysis,
                OverallStatus = analysis == AnalysisStatus.Completed ? OverallStatus.Completed
                    : capture == CaptureStatus.Completed ? OverallStatus.AnalysisPending : OverallStatus.CapturePending,
                HandoffStatus = capture != CaptureStatus.Completed ? null
                    : analysis switch
                    {
                        AnalysisStatus.NotStarted => HandoffStatus.ReadyForAnalysis,
                        AnalysisStatus.InProgress => HandoffStatus.InAnalysis,
                        _ => HandoffStatus.AnalysisComplete,
                    },
                QuestionsGenerated = questions,
                NarrativeEnhanced = enhanced,
                AnalysisGenerated = analysed,
                CreatedAt = created,
                CreatedBy = reporter.Id,
                UpdatedAt = capture == CaptureStatus.Draft ? null : created.AddMinutes(_r.Number(5, 120)),
                UpdatedBy = capture == CaptureStatus.Draft ? null : reporter.Id,
                SubmittedAt = capture == CaptureStatus.Completed ? created.AddMinutes(_r.Number(121, 600)) : null,
                SubmittedBy = capture == CaptureStatus.Completed ? reporter.Id : null,
            };
            inserter.Insert(incident);

            var time = eventTime.ToString("h:mm tt", CultureInfo.InvariantCulture).ToLowerInvariant();
            var phaseText = new string?[4];
            for (var p = 0; p < 4; p++)
            {
                // Drafts stop part-way; some finished reports still leave the last phase short.
                phaseText[p] = capture == CaptureStatus.Draft && p > _r.Number(0, 2) ? null : DemoText.Phase(_r, type, _phases[p], cast);
            }

            var extras = enhanced ? phaseText.Select((t, p) => t is null ? null : DemoText.Enhanced(_r, _phases[p], t, time, cast)).ToArray() : new string?[4];
            var consolidated = capture == CaptureStatus.Completed ? string.Join("\n\n", (enhanced ? extras : phaseText)!) : null;
            inserter.Insert(new IncidentNarrative
            {
                Id = _ids.Next(),
                IncidentId = incident.Id,
                BeforeEvent = phaseText[0],
                DuringEvent = phaseText[1],
                EndEvent = phaseText[2],
                PostEvent = phaseText[3],
                BeforeEventExtra = extras[0],
                DuringEventExtra = extras[1],
                EndEventExtra = extras[2],
                PostEventExtra = extras[3],
                ConsolidatedNarrative = consolidated,
                NarrativeHash = consolidated is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(consolidated))),
                Version = enhanced ? 2 : 1,
                CreatedAt = created,
                UpdatedAt = incident.UpdatedAt,
                EnhancedAt = enhanced ? incident.SubmittedAt : null,
            });

            var model = _r.ArrayElement(DemoText.AiModels);
            var answered = new List<(string Question, string Answer)>();
            if (questions)
            {
                var generated = created.AddMinutes(_r.Number(1, 30));
                Log("generate_clarification_questions", model, incident, reporter, generated, new { incident_id = incident.Id, phases = 4, max_questions = QuestionsPerPhase * 4 });
                var order = 0;
                foreach (var phase in _phases)
                {
                    for (var q = 0; q < QuestionsPerPhase; q++)
                    {
                        var questionIndex = _r.Number(0, DemoText.QuestionCount(phase) - 1);
                        var question = new ClarificationQuestion
                        {
                            Id = _ids.Next(),
                            IncidentId = incident.Id,
                            QuestionKey = $"{phase.ToString().ToLowerInvariant()}_{questionIndex + 1}",
                            Phase = phase,
                            QuestionText = DemoText.Question(phase, questionIndex, cast),
                            QuestionOrder = ++order,
                            GeneratedAt = generated,
                            AiModel = model,
                            PromptVersion = "v2.1",
                            IsActive = true,
                        };
                        inserter.Insert(question);

                        // Unanswered questions are a data-quality pattern worth finding.
                        if (_r.Bool(capture == CaptureStatus.Completed ? 0.92f : 0.5f))
                        {
                            var text = DemoText.Answer(phase, questionIndex, cast);
                            var complete = _r.Bool(0.9f);
                            var answerText = complete ? text : text[..(text.Length / 3)];
                            inserter.Insert(new ClarificationAnswer
                            {
                                Id = _ids.Next(),
                                IncidentId = incident.Id,
                                QuestionId = question.Id,
                                Phase = phase,
                                AnswerText = answerText,
                                AnsweredAt = generated.AddMinutes(_r.Number(2, 240)),
                                AnsweredBy = reporter.Id,
                                IsComplete = complete,
                                CharacterCount = answerText.Length,
                                WordCount = answerText.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length,
                            });
                            answered.Add((question.QuestionText, answerText));
                        }
                    }
                }
            }

            if (enhanced)
            {
                var at = incident.SubmittedAt!.Value;
                Log("enhance_narrative", model, incident, reporter, at, new { incident_id = incident.Id, answers = answered.Count, narrative_characters = consolidated!.Length });
                inserter.Insert(new EnhancedNarrative
                {
                    Id = _ids.Next(),
                    IncidentId = incident.Id,
                    OriginalContent = string.Join("\n\n", phaseText),
                    ClarificationResponses = string.Join("\n", answered.Select(a => $"Q: {a.Question}\nA: {a.Answer}")),
                    EnhancedContent = consolidated,
                    EnhancementVersion = 1,
                    AiModel = model,
                    ProcessingTimeMs = _r.Number(1500, 12000),
                    QualityScore = Math.Round(_r.Double(0.6, 0.99), 3),
                    UserEdited = _r.Bool(0.15f),
                    CreatedAt = at,
                });

                var lead = Staff(company, AppRole.TeamLead);
                var accepted = analysed;
                inserter.Insert(new WorkflowHandoff
                {
                    Id = _ids.Next(),
                    IncidentId = incident.Id,
                    FromWorkflow = "incident_capture",
                    ToWorkflow = "incident_analysis",
                    HandoffData = JsonSerializer.Serialize(
                        new
                        {
                            IncidentId = incident.Id,
                            ParticipantName = incident.ParticipantName,
                            ReporterName = reporter.Name,
                            EventDateTime = eventTime,
                            Location = location,
                            QuestionsAnswered = answered.Count,
                            QuestionsTotal = QuestionsPerPhase * 4,
                            Summary = phaseText[1],
                        },
                        _json),
                    TeamLeaderNotified = true,
                    NotificationSentAt = at.AddSeconds(_r.Number(1, 60)),
                    HandoffAccepted = accepted,
                    HandoffAcceptedBy = accepted ? lead.Id : null,
                    HandoffAcceptedAt = accepted ? at.AddHours(_r.Number(1, 72)) : null,
                    CreatedAt = at,
                });
            }

            if (analysed)
            {
                Analysis(incident, cast, model, type);
            }

            if (_r.Bool(0.25f))
            {
                DebugLog(incident, reporter, created);
            }
        }

        private void Analysis(Incident incident, DemoText.Cast cast, string model, IncidentType type)
        {
            var at = incident.SubmittedAt!.Value.AddHours(_r.Number(1, 96));
            var analyst = Staff(_companies.Find(c => c.Id == incident.CompanyId)!, AppRole.TeamLead);
            var conditions = DemoText.Conditions(_r, cast);
            var edited = _r.Bool(0.25f);
            var completed = incident.AnalysisStatus == AnalysisStatus.Completed;
            Log("analyze_contributing_conditions", model, incident, analyst, at, new { incident_id = incident.Id, narrative_version = 2 });
            var analysis = new IncidentAnalysis
            {
                Id = _ids.Next(),
                IncidentId = incident.Id,
                ContributingConditions = edited ? conditions + "\n- Reviewed with the team lead" : conditions,
                ConditionsOriginal = conditions,
                ConditionsEdited = edited,
                AnalyzedAt = at,
                AnalyzedBy = analyst.Id,
                UpdatedAt = edited ? at.AddMinutes(_r.Number(5, 300)) : null,
                AiModel = model,
                AiConfidence = Math.Round(_r.Double(0.55, 0.98), 3),
                AiProcessingTimeMs = _r.Number(2000, 20000),
                AnalysisStatus = completed
                    ? IncidentAnalysisStatus.Completed
                    : _r.ArrayElement(new[] { IncidentAnalysisStatus.Draft, IncidentAnalysisStatus.AiGenerated, IncidentAnalysisStatus.UserReviewed }),
                RevisionCount = edited ? _r.Number(1, 4) : 0,
            };
            inserter.Insert(analysis);

            Log("classify_incident", model, incident, analyst, at.AddSeconds(30), new { incident_id = incident.Id, analysis_id = analysis.Id });
            var classifications = _r.Bool(0.2f) ? 2 : 1;
            for (var k = 0; k < classifications; k++)
            {
                var reviewed = completed || _r.Bool(0.3f);
                inserter.Insert(new IncidentClassification
                {
                    Id = _ids.Next(),
                    IncidentId = incident.Id,
                    AnalysisId = analysis.Id,
                    IncidentType = k == 0 ? type : _r.ArrayElement(Enum.GetValues<IncidentType>()),
                    SupportingEvidence = cast.Fill(k == 0
                        ? "The account describes what happened to {P} in the {L}, and {S}'s response is consistent with this type."
                        : "A secondary factor: {S2} noted a possible contributing issue."),
                    Severity = _r.WeightedRandom([Severity.Low, Severity.Medium, Severity.High], [0.45f, 0.4f, 0.15f]),
                    ConfidenceScore = Math.Round(_r.Double(0.4, 0.99), 3),
                    UserReviewed = reviewed,
                    UserModified = reviewed && _r.Bool(0.15f),
                    ReviewNotes = reviewed && _r.Bool(0.5f) ? DemoText.ReviewNote(_r, cast) : null,
                    AiGenerated = true,
                    AiModel = model,
                    CreatedAt = at.AddSeconds(45),
                    UpdatedAt = reviewed ? at.AddHours(_r.Number(1, 48)) : null,
                    ClassifiedBy = reviewed ? analyst.Id : null,
                });
            }
        }

        private void Log(string operation, string model, Incident incident, User user, DateTime at, object input)
        {
            var success = _r.Bool(0.96f);
            var tokens = _r.Number(300, 3500);
            string? output;
            if (success)
            {
                output = JsonSerializer.Serialize(new { Status = "ok", Model = model, TokensPrompt = tokens * 2 / 3, TokensCompletion = tokens / 3, FinishReason = "stop" }, _json);
            }
            else
            {
                // Failed calls keep what the upstream sent, which is not always JSON.
                output = _r.Bool() ? "<html><body>502 Bad Gateway</body></html>" : null;
            }

            inserter.Insert(new AiRequestLog
            {
                Id = _ids.Next(),
                CorrelationId = _ids.Next().ToString(),
                Operation = operation,
                Model = model,
                PromptName = operation,
                InputData = JsonSerializer.Serialize(input, _json),
                OutputData = output,
                ProcessingTimeMs = _r.Number(400, 15000),
                TokensUsed = success ? tokens : null,
                CostUsd = success ? Math.Round(tokens * 0.0000025m * _r.Number(1, 4), 6) : 0m,
                Success = success,
                ErrorMessage = success ? null : _r.ArrayElement(new[] { "Upstream timeout after 30000 ms", "Rate limited (429)", "Invalid JSON in model response" }),
                UserId = user.Id,
                IncidentId = incident.Id,
                CreatedAt = at,
            });
        }

        private void DebugLog(Incident incident, User user, DateTime at)
        {
            var error = _r.Bool(0.3f);
            inserter.Insert(new DebugLog
            {
                Id = _ids.Next(),
                TraceId = _ids.Hex(16).ToLowerInvariant(),
                UserId = user.Id,
                System = _r.ArrayElement(Enum.GetValues<DebugSystem>()),
                Level = error ? DebugLevel.Error : _r.ArrayElement(new[] { DebugLevel.Log, DebugLevel.Info, DebugLevel.Warn }),
                Message = error ? "Autosave failed while saving the narrative" : "Narrative autosaved",
                Stack = error ? "Error: Network request failed\n    at saveNarrative (capture.js:212:17)\n    at onBlur (capture.js:88:5)" : null,
                Context = JsonSerializer.Serialize(new { IncidentId = incident.Id, Route = "/incidents/capture", Attempt = _r.Number(1, 3) }, _json),
                Timestamp = at.AddMinutes(_r.Number(1, 60)),
            });
        }

        private User Staff(Company company, AppRole? preferred = null)
        {
            var staff = _staffByCompany[company.Id];
            if (staff.Count == 0)
            {
                return _users[_r.Number(0, _users.Count - 1)];
            }

            if (preferred is { } role)
            {
                var matching = staff.FindAll(u => u.Role == role);
                if (matching.Count > 0)
                {
                    return matching[_r.Number(0, matching.Count - 1)];
                }
            }

            return staff[_r.Number(0, staff.Count - 1)];
        }

        private User Admin() => _admins[_r.Number(0, _admins.Count - 1)];

        private Site[] SitesOf(Company company)
        {
            var index = _companies.IndexOf(company);
            return _sites.GetRange(index * options.SitesPerCompany, options.SitesPerCompany).ToArray();
        }

        private (string First, string Last) PersonName(Bogus.DataSets.Name names) =>
            _r.Bool(0.12f)
                ? (_r.ArrayElement(DemoText.UnicodeFirstNames), _r.ArrayElement(DemoText.UnicodeLastNames))
                : (names.FirstName(), names.LastName());

        private static string FirstWord(string name) => name.Split(' ')[0];

        private static string Slug(string text)
        {
            var sb = new StringBuilder(text.Length);
            foreach (var ch in text.Normalize(NormalizationForm.FormD))
            {
                if (char.IsAsciiLetterOrDigit(ch))
                {
                    sb.Append(char.ToLowerInvariant(ch));
                }
                else if (ch is ' ' or '-' && sb.Length > 0 && sb[^1] != '-')
                {
                    sb.Append('-');
                }
            }

            return sb.ToString().Trim('-');
        }
    }
}
