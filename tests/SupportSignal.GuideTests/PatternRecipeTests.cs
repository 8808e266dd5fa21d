using System.Globalization;

namespace SupportSignal.GuideTests;

/// <summary>Recipes of "Pattern discovery": incident types, frequency per participant, time of day.</summary>
public sealed class PatternRecipeTests(DemoExport export) : RecipeTests(export)
{
    private Dictionary<string, long> CountsByType => Export
        .Query("SELECT incident_type, count(*) FROM incident_classifications GROUP BY incident_type")
        .ToDictionary(r => r[0], r => long.Parse(r[1], CultureInfo.InvariantCulture));

    [Fact, Recipe("counts-by-type")]
    public void Counts_by_type_from_the_zip_equal_a_group_by_in_the_database()
    {
        var rows = RunSql();

        Assert.Equal(CountsByType, rows.ToDictionary(r => r[0], r => long.Parse(r[1], CultureInfo.InvariantCulture)));
        Assert.Equal(5, rows.Count);
        Assert.True(rows.Select(r => long.Parse(r[1], CultureInfo.InvariantCulture)).SequenceEqual(rows.Select(r => long.Parse(r[1], CultureInfo.InvariantCulture)).OrderDescending()), "largest first");
    }

    [Fact, Recipe("counts-by-type-document")]
    public void Counts_by_type_from_the_gzipped_document_equal_a_group_by_in_the_database()
    {
        var rows = RunSql();

        Assert.Equal(CountsByType, rows.ToDictionary(r => r[0], r => long.Parse(r[1], CultureInfo.InvariantCulture)));
    }

    [Fact, Recipe("counts-by-type-jq")]
    public async Task Counts_by_type_with_jq_equal_a_group_by_in_the_database()
    {
        var result = await RunShellAsync();

        var counts = result.Lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToDictionary(p => p[1], p => long.Parse(p[0], CultureInfo.InvariantCulture));
        Assert.Equal(CountsByType, counts);
    }

    [Fact, Recipe("incidents-per-participant")]
    public void Incidents_per_participant_are_the_database_top_ten()
    {
        var rows = RunSql();

        var expected = Export.Query("""
            SELECT lower(p.id), p.first_name || ' ' || p.last_name, count(*) AS n
            FROM incidents i JOIN participants p ON p.id = i.participant_id
            GROUP BY p.id ORDER BY n DESC, lower(p.id) LIMIT 10
            """);
        Assert.Equal(10, rows.Count);
        Assert.Equal(expected.Select(r => string.Join('|', r)), rows.Select(r => string.Join('|', r)));
    }

    [Fact, Recipe("time-of-day")]
    public void Incidents_by_hour_are_the_database_hours_in_utc()
    {
        var rows = RunSql();

        var expected = Export.Query("SELECT CAST(strftime('%H', event_date_time) AS INTEGER) AS h, count(*) FROM incidents GROUP BY h ORDER BY h");
        Assert.Equal(expected.Select(r => string.Join('|', r)), rows.Select(r => string.Join('|', r)));
    }

    [Fact, Recipe("time-of-day-local")]
    public void Incidents_by_local_hour_follow_sydney_time_with_daylight_saving()
    {
        var rows = RunSql();

        var sydney = TimeZoneInfo.FindSystemTimeZoneById("Australia/Sydney");
        var expected = Export.Query("SELECT event_date_time FROM incidents")
            .Select(r => DateTime.SpecifyKind(DateTime.Parse(r[0], CultureInfo.InvariantCulture), DateTimeKind.Utc))
            .GroupBy(utc => TimeZoneInfo.ConvertTimeFromUtc(utc, sydney).Hour)
            .OrderBy(g => g.Key)
            .Select(g => $"{g.Key}|{g.Count()}");
        Assert.Equal(expected, rows.Select(r => string.Join('|', r)));
        Assert.NotEqual(Runners.DuckDb(Export, SqlOf(nameof(Incidents_by_hour_are_the_database_hours_in_utc))).Select(r => string.Join('|', r)), rows.Select(r => string.Join('|', r)));
    }
}
