using System.Net;
using System.Text.RegularExpressions;

using SupportSignal.Cli;
using SupportSignal.Export;
using SupportSignal.TestSupport;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.ReliabilityTests;

/// <summary>
/// Hostile input against every export input: the engine's parser, the page's form fields and query
/// strings, and the CLI's flags. Never a 500, never internals in what comes back, never a file outside
/// the chosen path, and the database untouched by anything that looks like SQL.
/// </summary>
public sealed partial class HostileInputTests(HostileInputTests.ManySlotsApp app) : IClassFixture<HostileInputTests.ManySlotsApp>
{
    public const int ParserInputs = 5_000;
    public const int FormPosts = 300;
    public const int QueryStrings = 120;
    public const int CliRuns = 200;
    public const int MethodRequests = 4_400;

    private static readonly string[] _methods =
        ["GET", "HEAD", "POST", "TRACE", "OPTIONS", "PUT", "DELETE", "PATCH", "CONNECT", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE",
         "LOCK", "UNLOCK", "SEARCH", "DEBUG", "TRACK", "PURGE", "get", "post", "Head", "gEt"];

    private static readonly string[] _overrides = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

    private static readonly string[] _formFields = ["Format", "Tables", "DownloadToken", "Company", "Site", "From", "To", "Deidentify", "Closure", "handler"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void The_input_parser_refuses_anything_bad_with_an_error_naming_a_known_field()
    {
        var input = new HostileInput(Settings.FuzzSeed);
        string[] fields = [ExportInput.CompanyField, ExportInput.SiteField, ExportInput.FromField, ExportInput.ToField, ExportInput.TablesField];
        var refused = new Tally();
        for (var i = 0; i < ParserInputs; i++)
        {
            string[] Values() => [.. Enumerable.Range(0, input.Next(3)).Select(_ => input.Value())];
            try
            {
                ExportInput.Parse(Values(), Values(), Values(), input.Chance(0.5) ? input.Value() : null, input.Chance(0.5) ? input.Value() : null, input.Chance(0.5));
                ExportFormats.Parse(input.Value());
            }
            catch (ExportRequestException e)
            {
                refused.Add(e.Field);
                Assert.Contains(e.Field, (string[])[.. fields, "format"]);
                Assert.DoesNotContain(e.Message, c => char.IsControl(c));
                Assert.True(e.Message.Length < 400, $"message of {e.Message.Length} characters");
            }
        }

        Figures.Record("fuzz.parser", $"{ParserInputs} inputs (seed {Settings.FuzzSeed}), refused with a named field: {refused}; 0 other exceptions");
        // The fuzz reaches every check: each field's validation refused something (the parser stops at the first bad field,
        // so the later fields see fewer inputs, but thousands of inputs reach each of them).
        foreach (var field in (string[])[ExportInput.CompanyField, ExportInput.SiteField, ExportInput.FromField, ExportInput.ToField, "format"])
        {
            Assert.True(refused[field] > 0, $"no input was refused for {field}: {refused}");
        }

        Assert.True(refused.Total > ParserInputs / 2, $"only {refused.Total} of {ParserInputs} hostile inputs were refused: {refused}");
    }

    [Theory]
    [InlineData("company", "'; DROP TABLE users; --")]
    [InlineData("site", "../../etc/passwd")]
    [InlineData("from", "2026-02-30")]
    [InlineData("to", "31/01/2026")]
    [InlineData("tables", "t1,t2")]
    [InlineData("format", "xml")]
    public void Each_field_of_the_parser_refuses_a_known_bad_value_and_names_that_field(string field, string value)
    {
        string[] One(string f) => f == field ? (field == "tables" ? [.. Enumerable.Range(0, 1_001).Select(i => $"t{i}")] : [value]) : [];
        string? Single(string f) => f == field ? value : null;

        var error = Assert.Throws<ExportRequestException>(() =>
        {
            ExportInput.Parse(One(ExportInput.TablesField), One(ExportInput.CompanyField), One(ExportInput.SiteField), Single(ExportInput.FromField), Single(ExportInput.ToField), true);
            ExportFormats.Parse(field == "format" ? value : "json");
        });

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public async Task The_export_form_never_answers_500_and_never_shows_internals()
    {
        var input = new HostileInput(Settings.FuzzSeed + 1);
        using var client = await app.SignInAsAsync(Data.Entities.AppRole.SystemAdmin);
        var token = await client.GetAntiforgeryTokenAsync("/account/login");
        var tally = new Tally();
        var refused = new Tally();
        var usersBefore = await UserCountAsync();
        for (var i = 0; i < FormPosts; i++)
        {
            var fields = Enumerable.Range(0, input.Next(5))
                .Select(_ => new KeyValuePair<string, string>(input.Chance(0.9) ? input.Pick(_formFields) : input.Random(8), input.Value()))
                .Append(new("Format", input.Chance(0.3) ? input.Pick(ExportFormats.Names) : input.Value()))
                .Append(new("__RequestVerificationToken", token));
            var query = input.Chance(0.2) ? $"?{Uri.EscapeDataString(input.Pick(_formFields))}={Uri.EscapeDataString(input.Value())}" : "";
            using var response = await ExportForm.PostAsync(client, fields, withToken: false, query: query, cancellationToken: Cancel);
            tally.Add(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            await AssertCleanAsync(response, $"POST #{i}", refused);
        }

        Figures.Record("fuzz.form", $"{FormPosts} posts (seed {Settings.FuzzSeed + 1}): {tally}; refused by field: {refused}");
        Assert.Equal(usersBefore, await UserCountAsync());
        // Most formats are hostile, so most posts must have been refused with the field named; some good ones went through.
        Assert.True(refused["format"] > FormPosts / 10, $"only {refused["format"]} posts refused for their format: {refused}");
        Assert.True(refused.Total - refused["format"] - refused["unreadable"] > 0, $"no filter field was ever refused: {refused}");
        Assert.True(tally["200"] > 0, $"no post was accepted, so the refusals prove nothing: {tally}");
    }

    [Fact]
    public async Task A_field_name_with_an_unclosed_bracket_is_ignored_rather_than_a_500()
    {
        using var client = await app.SignInAsAsync(Data.Entities.AppRole.SystemAdmin);

        using var response = await ExportForm.PostAsync(client, [new("Format", "nope"), new("Tables[", "x"), new("a[b", "c")], cancellationToken: Cancel);

        // The bad format is what the page objects to; the odd field names change nothing.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Unknown format", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task The_export_page_never_answers_500_whatever_its_query_string()
    {
        var input = new HostileInput(Settings.FuzzSeed + 2);
        using var client = await app.SignInAsAsync(Data.Entities.AppRole.SystemAdmin);
        var tally = new Tally();
        var refused = new Tally();
        for (var i = 0; i < QueryStrings; i++)
        {
            var pairs = Enumerable.Range(0, 1 + input.Next(3))
                .Select(_ => $"{Uri.EscapeDataString(input.Chance(0.8) ? input.Pick(_formFields) : input.Value())}={Uri.EscapeDataString(input.Value())}");
            using var response = await client.GetAsync($"{ExportForm.Path}?{string.Join("&", pairs)}", Cancel);
            tally.Add(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            await AssertCleanAsync(response, $"GET #{i}", refused);
        }

        Figures.Record("fuzz.query", $"{QueryStrings} query strings (seed {Settings.FuzzSeed + 2}): {tally}; refused by field: {refused}");
        Assert.True(refused.Total - refused["unreadable"] > 0, $"no query string was refused with a named field: {tally}");
        Assert.True(tally["200"] > 0, $"no query string was shown, so the refusals prove nothing: {tally}");
    }

    [Fact]
    public async Task Any_method_or_method_override_on_any_page_never_answers_500_and_only_get_head_and_post_reach_a_page()
    {
        var input = new HostileInput(Settings.FuzzSeed + 4);
        var urls = SitePages.Urls(app);
        using var admin = await app.SignInAsAsync(Data.Entities.AppRole.SystemAdmin);
        using var anonymous = app.CreateBrowserlikeClient();
        var tally = new Tally();
        for (var i = 0; i < MethodRequests; i++)
        {
            // Mostly real methods, some made-up tokens; a third of the requests ask to be overridden.
            var method = input.Chance(0.85) ? input.Pick(_methods) : new string([.. input.Random(1 + input.Next(10)).Where(char.IsAsciiLetter)]);
            method = method.Length == 0 ? "X" : method;
            // An escaped NUL in a path is refused by Kestrel before the app; the in-process test server throws on it instead.
            var url = input.Chance(0.9) ? input.Pick(urls) : "/" + Uri.EscapeDataString(input.Value().Replace('\0', '0'));
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (input.Chance(0.35))
            {
                request.Headers.TryAddWithoutValidation(input.Pick(_overrides), input.Chance(0.8) ? input.Pick(_methods) : input.Value());
            }

            if (input.Chance(0.2))
            {
                request.Content = new FormUrlEncodedContent([new("_method", input.Pick(_methods)), new(input.Pick(_formFields), input.Value())]);
            }

            using var response = await (input.Chance(0.5) ? admin : anonymous).SendAsync(request, Cancel);
            var context = $"request #{i} ({method} {url})";
            var code = (int)response.StatusCode;
            tally.Add(code.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!Web.Infrastructure.PipelineExtensions.AllowedMethods.Contains(method, StringComparer.OrdinalIgnoreCase))
            {
                Assert.True(response.StatusCode == HttpStatusCode.MethodNotAllowed, $"{context} answered {code}");
                Assert.Equal(["GET", "HEAD", "POST"], response.Content.Headers.Allow.Order(StringComparer.Ordinal));
            }

            await AssertCleanAsync(response, context, new Tally());
        }

        Assert.True(tally["405"] > MethodRequests / 2, $"only {tally["405"]} refusals: {tally}");
        Figures.Record("fuzz.methods", $"{MethodRequests} requests over {urls.Count} URLs (seed {Settings.FuzzSeed + 4}): {tally}");
        Figures.Record("fuzz.total", $"{ParserInputs + FormPosts + QueryStrings + CliRuns + MethodRequests} inputs");
    }

    [Fact]
    public async Task The_cli_never_fails_unexpectedly_and_never_writes_outside_the_chosen_path()
    {
        var input = new HostileInput(Settings.FuzzSeed + 3);
        var root = Directory.CreateTempSubdirectory("supportsignal-rel-fuzz-").FullName;
        // Five levels deep, so that up to five "../" stay inside root, where every new file is seen.
        var sandbox = Directory.CreateDirectory(Path.Combine(root, "a", "b", "c", "d", "sandbox")).FullName;
        var variables = new Dictionary<string, string?> { ["ConnectionStrings__SupportSignal"] = TestDatabase.ConnectionString(app.DatabasePath) };
        var tally = new Tally();
        try
        {
            for (var i = 0; i < CliRuns; i++)
            {
                var output = OutputPath(input, sandbox).Replace('\0', '0');
                var args = new List<string> { "export", "--quiet", "--output", output };
                foreach (var _ in Enumerable.Range(0, input.Next(3)))
                {
                    args.AddRange(input.Next(4) switch
                    {
                        0 => ["--format", input.Chance(0.4) ? input.Pick(ExportFormats.Names) : input.Value()],
                        1 => ["--tables", input.Value()],
                        2 => ["--force"],
                        _ => [input.Chance(0.5) ? "--" + input.Random(6) : input.Value()],
                    });
                }

                // A real process cannot receive a NUL in its arguments (argv is C strings), so none is passed here either.
                args = [.. args.Select(a => a.Replace('\0', '0'))];
                var before = FilesUnder(root);
                var (code, stderr) = await Cli.RunAsync(root, Cancel, [.. args], variables);
                var created = FilesUnder(root).Except(before).ToList();
                tally.Add($"exit {code}");

                var context = $"run #{i} ({string.Join(" ", args.Select(a => a.Length > 80 ? a[..80] + "…" : a))})";
                Assert.True(code is 0 or 2 or 4, $"{context}: exit {code}: {stderr}");
                Assert.True(code == 0 || stderr.Trim().Length > 0, $"{context}: exit {code} without a message");
                Internals.AssertNone(stderr.Replace(root, "<root>", StringComparison.Ordinal), context);
                var target = Target(output);
                var outside = created.Where(file => file != target && Path.GetDirectoryName(file) != target).ToList();
                Assert.True(outside.Count == 0, $"{context} wrote {string.Join(", ", outside)}, outside {target}");
                Assert.DoesNotContain(created, f => f.EndsWith(".partial", StringComparison.Ordinal));
                created.ForEach(File.Delete);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        Figures.Record("fuzz.cli", $"{CliRuns} runs (seed {Settings.FuzzSeed + 3}): {tally}");
        // Hostile flags and paths were refused (bad arguments, unwritable output), and good ones still exported.
        Assert.True(tally[$"exit {ExitCodes.BadArguments}"] > 0, $"no run was refused for its arguments: {tally}");
        Assert.True(tally[$"exit {ExitCodes.OutputNotWritable}"] > 0, $"no run was refused for its output path: {tally}");
        Assert.True(tally[$"exit {ExitCodes.Success}"] > 0, $"no run exported, so the refusals prove nothing: {tally}");
    }

    private static string OutputPath(HostileInput input, string sandbox) => input.Next(5) switch
    {
        0 => sandbox,
        1 => "-",
        // Concatenated, not Path.Combine: an absolute-looking value must stay under the sandbox.
        2 => sandbox + "/" + string.Concat(Enumerable.Repeat("../", 1 + input.Next(5))) + input.Value(),
        3 => sandbox + "/" + input.Value(),
        _ => sandbox + "/" + input.Pick(["../../etc/passwd", "..\\..\\x.json", "%2e%2e/x.json", "a/../../b.json", "nul", "con.json", "x.json/", ".", ".."]),
    };

    private static string Target(string output)
    {
        try
        {
            return Path.GetFullPath(output).TrimEnd('/');
        }
        catch (ArgumentException)
        {
            return output;
        }
    }

    private static HashSet<string> FilesUnder(string root) => [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)];

    /// <summary>No 500, no internals; a download has a proper name; a refusal (400) names the field it refuses, counted in <paramref name="refused"/>.</summary>
    private static async Task AssertCleanAsync(HttpResponseMessage response, string context, Tally refused)
    {
        Assert.True((int)response.StatusCode < 500, $"{context} answered {(int)response.StatusCode}");
        if (response.Content.Headers.ContentDisposition is { } disposition)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Matches(DownloadName(), disposition.FileName?.Trim('"') ?? "");
            return;
        }

        var html = await response.Content.ReadAsStringAsync(Cancel);
        Internals.AssertNoneOnPage(html, context);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var field = ProblemField().Match(html);
            if (field.Success)
            {
                Assert.Contains(field.Groups[1].Value, (string[])[ExportInput.CompanyField, ExportInput.SiteField, ExportInput.FromField, ExportInput.ToField, ExportInput.TablesField, "format"]);
                Assert.Contains("The export request is not valid", html);
                refused.Add(field.Groups[1].Value);
            }
            else
            {
                // A form that cannot even be read (a NUL in a value) fails antiforgery before the page sees a field.
                Assert.True(html.Contains("Bad request", StringComparison.Ordinal), $"{context} was refused (400) without naming a field");
                refused.Add("unreadable");
            }
        }
    }

    [GeneratedRegex("<code data-problem-field>([^<]*)</code>")]
    private static partial Regex ProblemField();

    private async Task<int> UserCountAsync()
    {
        await using var connection = await Sql.OpenAsync(app.DatabasePath, Cancel);
        return await connection.ScalarAsync<int>("SELECT COUNT(*) FROM users", Cancel);
    }

    [GeneratedRegex(@"^supportsignal-db-export-\d{4}-\d{2}-\d{2}-\d{4}(-segment)?(-deidentified)?\.(json|json\.gz|zip|parquet\.zip)$")]
    private static partial Regex DownloadName();

    /// <summary>Enough export slots that sequential fuzzing never meets the concurrency limit.</summary>
    public sealed class ManySlotsApp : SupportSignalAppFactory
    {
        public ManySlotsApp() => WithSetting(ExportLimits.MaxConcurrentKey, "8");
    }
}
