using System.Net;

using Microsoft.EntityFrameworkCore;

using SupportSignal.Data;
using SupportSignal.Data.Entities;
using SupportSignal.Testing;
using SupportSignal.TestSupport;

namespace SupportSignal.PostgreSqlTests;

/// <summary>The real app (Program.cs as written) configured for PostgreSQL the way an operator does it.</summary>
public sealed class PostgreSqlAppFactory : SupportSignalAppFactory
{
    public SeededPostgreSql PostgreSql { get; } = new();

    public ExportFaults Faults { get; } = new();

    public async Task<PostgreSqlAppFactory> StartAsync()
    {
        await PostgreSql.EnsureAsync();
        WithSetting(DatabaseSettings.ProviderKey, "PostgreSql");
        WithSetting($"ConnectionStrings:{DatabaseSettings.ConnectionStringName}", PostgreSql.ConnectionString);
        // One reader, so that a session ended while the download is held always lands mid-read
        // (parallel readers may have buffered the rest already); ParallelExportTests cover several.
        WithSetting("Export:Parallelism", "1");
        return this;
    }

    public List<ExportAudit> AuditRows()
    {
        using var db = PostgreSql.Settings.CreateContext();
        return [.. db.ExportAudits.AsNoTracking().AsEnumerable().OrderBy(a => a.StartedAt)];
    }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        ExportFaults.Install(this, Faults);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await PostgreSql.DisposeAsync();
    }
}

public sealed class ExportPageTests(PostgreSqlAppFactory factory) : IClassFixture<PostgreSqlAppFactory>
{
    private const string PagePath = "/admin/developer-tools/export";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_page_shows_PostgreSQL_counts_and_downloads_the_export()
    {
        var app = await factory.StartAsync();
        var client = await app.SignInAsAsync(AppRole.SystemAdmin);

        var page = await client.GetStringAsync(PagePath, Cancel);
        Assert.Contains("incidents", page);

        using var response = await PostExportAsync(client, HttpCompletionOption.ResponseContentRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal("postgresql", document.RootElement.GetProperty("metadata").GetProperty("database").GetProperty("provider").GetString());
        Assert.Equal(DemoSets.Small.Incidents, document.RootElement.GetProperty("data").GetProperty("incidents").GetArrayLength());
        Assert.Contains(app.AuditRows(), a => a.Outcome == ExportOutcome.Succeeded && a.Source == ExportSource.Web);
    }

    [Fact]
    public async Task The_server_ending_the_session_mid_download_ends_the_download_and_audits_the_failure()
    {
        var app = await factory.StartAsync();
        var client = await app.SignInAsAsync(AppRole.SystemAdmin);
        var hold = new TaskCompletionSource();
        app.Faults.HoldNextAfterFirstWrite = hold;

        using var response = await PostExportAsync(client, HttpCompletionOption.ResponseHeadersRead);
        // The download has started and the export is paused inside its snapshot: the server now ends the session.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(1, await app.PostgreSql.TerminateSessionsInTransactionAsync());
        hold.SetResult();

        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync(Cancel));
        await Poll.UntilAsync(() => !app.AuditRows().Any(a => a.Outcome == ExportOutcome.Started), "the failed export's audit row to be finished");

        var failed = Assert.Single(app.AuditRows(), a => a.ErrorCode == SupportSignal.Export.ExportErrorCodes.FailedMidStream);
        Assert.Equal(ExportOutcome.Failed, failed.Outcome);
        Assert.NotNull(failed.FinishedAt);
        // Support finds why in the log: the server's own reason, not a generic failure.
        Assert.Contains(app.Logs.Events, e => e.Exception?.ToString().Contains("57P01", StringComparison.Ordinal) ?? false);
    }

    private static async Task<HttpResponseMessage> PostExportAsync(HttpClient client, HttpCompletionOption completion)
    {
        var token = await client.GetAntiforgeryTokenAsync("/account/login");
        using var request = new HttpRequestMessage(HttpMethod.Post, PagePath)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token,
                ["Format"] = "json",
            }),
        };
        return await client.SendAsync(request, completion, Cancel);
    }
}

/// <summary>The app pointed at PostgreSQL with a wrong password: a clear 503, no secret on screen or in the log.</summary>
public sealed class WrongPasswordPageTests : IAsyncLifetime
{
    private const string WrongPassword = "Wrong-Passw0rd-5531";
    private readonly ProductionApp _app = new();

    public ValueTask InitializeAsync() => _app.InitializeAsync();

    [Fact]
    public async Task The_login_page_answers_503_without_the_password_on_screen_or_in_the_log()
    {
        var connectionString = Cli.With(await PostgreSqlServer.RequireAsync(), b =>
        {
            b.Username = "ss_nobody_" + Guid.NewGuid().ToString("N")[..8];
            b.Password = WrongPassword;
        });
        _app.WithSetting(DatabaseSettings.ProviderKey, "PostgreSql");
        _app.WithSetting($"ConnectionStrings:{DatabaseSettings.ConnectionStringName}", connectionString);
        var client = _app.CreateBrowserlikeClient();

        var response = await client.GetAsync("/account/login", Cancel);
        var html = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.DoesNotContain(WrongPassword, html);
        Assert.DoesNotContain("Password=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Npgsql", html);
        Assert.Contains(_app.Logs.Events, e => e.Exception?.ToString().Contains("28P01", StringComparison.Ordinal) ?? false);
        Assert.DoesNotContain(_app.Logs.Events, e => e.RenderMessage().Contains(WrongPassword, StringComparison.Ordinal)
            || (e.Exception?.ToString().Contains(WrongPassword, StringComparison.Ordinal) ?? false));
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private sealed class ProductionApp : SupportSignalAppFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseEnvironment(builder, "Production");
        }
    }
}
