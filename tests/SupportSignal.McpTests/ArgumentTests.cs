using SupportSignal.Export;

namespace SupportSignal.McpTests;

/// <summary>Bad arguments and bad files stop the server before it serves anything: exit 2 and a message naming the problem.</summary>
public sealed class ArgumentTests(McpDemo demo)
{
    [Theory]
    [InlineData(new string[0], "Give exactly one source: --export PATH or --live.")]
    [InlineData(new[] { "--live", "--export", "x.json" }, "Give exactly one source")]
    [InlineData(new[] { "--export", "x.json", "--identified" }, "--identified goes with --live only")]
    [InlineData(new[] { "--export", "/nonexistent/export.json" }, "--export: /nonexistent/export.json does not exist")]
    [InlineData(new[] { "--live", "--row-cap", "0" }, "--row-cap must be a positive whole number")]
    public async Task Bad_arguments_exit_2_with_a_message(string[] arguments, string message)
    {
        var (exitCode, stdout, stderr) = await McpServerProcess.RunToExitAsync(arguments);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task A_cut_short_export_file_is_refused_with_what_is_wrong()
    {
        var bytes = await File.ReadAllBytesAsync(demo.ExportPath(ExportFormat.Json), TestContext.Current.CancellationToken);
        var path = demo.NewPath("cut.json");
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)], TestContext.Current.CancellationToken);

        var (exitCode, _, stderr) = await McpServerProcess.RunToExitAsync(["--export", path]);

        Assert.Equal(2, exitCode);
        Assert.Contains("the file ends in the middle of table", stderr);
    }

    [Theory]
    [InlineData("{\"hello\": 1}", "no \"metadata\" member")]
    [InlineData("not json at all", "invalid JSON")]
    [InlineData("{\"metadata\": {\"tables\": []}, \"data\": {\"incidents\": [{\"id\": 1}]}}", "rows of incidents, which metadata.tables does not describe")]
    public async Task A_file_that_is_not_an_export_is_refused(string content, string message)
    {
        var path = demo.NewPath("other.json");
        await File.WriteAllTextAsync(path, content, TestContext.Current.CancellationToken);

        var (exitCode, stdout, stderr) = await McpServerProcess.RunToExitAsync(["--export", path]);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr);
    }

    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.JsonGz)]
    [InlineData(ExportFormat.Zip)]
    public async Task Every_export_format_loads_to_the_same_counts(ExportFormat format)
    {
        await using var server = await McpServerProcess.StartAsync(["--export", demo.ExportPath(format)]);

        var rows = McpServerProcess.Rows(await server.QueryAsync(
            "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM incident_narratives), (SELECT count(*) FROM participants)"));

        Assert.Equal(
            string.Join(",", demo.RecordCount("incidents"), demo.RecordCount("incident_narratives"), demo.RecordCount("participants")),
            string.Join(",", rows[0]));
    }

    [Fact]
    public async Task A_query_that_runs_past_the_timeout_is_stopped_and_the_server_answers_the_next_call()
    {
        await using var server = await McpServerProcess.StartAsync(["--export", demo.ExportPath(ExportFormat.Json), "--query-timeout", "1"]);

        var slow = await server.QueryAsync("SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3");

        Assert.True(slow.IsError);
        Assert.Contains("The query ran longer than 1 s and was stopped", McpServerProcess.Text(slow));
        Assert.Equal("1", McpServerProcess.Rows(await server.QueryAsync("SELECT 1"))[0][0]);
    }
}
