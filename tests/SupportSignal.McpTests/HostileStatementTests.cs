namespace SupportSignal.McpTests;

/// <summary>Statements that would change the snapshot or reach outside it are refused as tool errors.</summary>
public sealed class HostileStatementTests(McpDemo demo, ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private McpServerProcess Server => fixture.Server;

    public static TheoryData<string, string> Hostile(string outside) => new()
    {
        { "DELETE FROM incidents", "Refused: DELETE is not a query" },
        { "ATTACH '" + outside + ".db' AS other", "Refused: ATTACH is not a query" },
        { "COPY incidents TO '" + outside + ".csv'", "Refused: COPY is not a query" },
        { "COPY (SELECT * FROM participants) TO '" + outside + ".json'", "Refused: COPY is not a query" },
        { "SELECT * FROM read_text('/etc/passwd')", "disabled by configuration" },
        { "SELECT * FROM read_csv('/etc/passwd')", "disabled by configuration" },
        { "INSTALL httpfs", "Refused: INSTALL is not a query" },
        { "LOAD httpfs", "Refused: LOAD is not a query" },
        { "SELECT 1; DELETE FROM incidents", "Refused: the sql argument holds more than one statement" },
        { "SELECT count(*) FROM incidents; SELECT 2", "Refused: the sql argument holds more than one statement" },
        { "SET enable_external_access = true", "Refused: SET is not a query" },
        { "/* hidden */ UPDATE incidents SET location = 'x'", "Refused: UPDATE is not a query" },
        { "CREATE TABLE copy AS SELECT * FROM incidents", "Refused: CREATE is not a query" },
        { "PRAGMA enable_external_access", "Refused: PRAGMA is not a query" },
        { "CALL duckdb_settings()", "Refused: CALL is not a query" },
        { "SELECT * FROM 'https://example.org/x.csv'", "" },
    };

    public static TheoryData<string, string> Statements => Hostile(Path.Combine(Path.GetTempPath(), "supportsignal-mcp-hostile"));

    [Theory]
    [MemberData(nameof(Statements))]
    public async Task A_hostile_statement_is_refused_and_changes_nothing(string sql, string message)
    {
        var before = Directory.GetFiles(Path.GetTempPath(), "supportsignal-mcp-hostile*");

        var result = await Server.QueryAsync(sql);

        Assert.True(result.IsError, $"'{sql}' was not refused: {McpServerProcess.Text(result)}");
        Assert.Contains(message, McpServerProcess.Text(result));
        Assert.DoesNotContain("root:", McpServerProcess.Text(result));
        Assert.Equal(before, Directory.GetFiles(Path.GetTempPath(), "supportsignal-mcp-hostile*"));
        var count = McpServerProcess.Rows(await Server.QueryAsync("SELECT count(*) FROM incidents"));
        Assert.Equal(demo.RecordCount("incidents").ToString(System.Globalization.CultureInfo.InvariantCulture), count[0][0]);
    }
}
