using System.Diagnostics;
using System.Globalization;

using DuckDB.NET.Data;

namespace SupportSignal.GuideTests;

/// <summary>What a shell recipe printed.</summary>
public sealed record ShellResult(string Directory, string Output, string Errors = "")
{
    public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs the guide's recipes the way a reader would: shell recipes with /bin/sh, SQL recipes in DuckDB.</summary>
public static class Runners
{
    private static readonly TimeSpan _timeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Runs a shell recipe with <c>/bin/sh -e</c> in a fresh copy of the export folder (so recipes that write files
    /// cannot disturb each other); fails on a non-zero exit or anything on stderr.
    /// </summary>
    public static Task<ShellResult> ShellAsync(DemoExport export, string script) => ShellAsync(export, script, export.ExportDirectory);

    /// <summary>
    /// Runs a recipe that calls the <c>supportsignal</c> command: the CLI built with these tests is first on PATH and
    /// connects to a copy of the demo database through the same environment variables an operator would set. Its progress and
    /// summary go to stderr, so stderr is allowed here.
    /// </summary>
    /// <param name="source">The folder the recipe runs in a copy of: the demo export's files unless given.</param>
    public static Task<ShellResult> CliAsync(DemoExport export, string script, string? source = null) => ShellAsync(export, script, source ?? export.ExportDirectory, new Dictionary<string, string>
    {
        ["PATH"] = AppContext.BaseDirectory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
        ["Database__Provider"] = "Sqlite",
        ["ConnectionStrings__SupportSignal"] = $"Data Source={export.CopyDatabase()}",
    });

    /// <summary>Runs a shell recipe in a fresh copy of <paramref name="source"/>.</summary>
    public static async Task<ShellResult> ShellAsync(DemoExport export, string script, string source, IReadOnlyDictionary<string, string>? environment = null)
    {
        var directory = export.NewDirectory("shell");
        CopyDirectory(source, directory);
        var start = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["LC_ALL"] = "C.UTF-8";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken))
        {
            timeout.CancelAfter(_timeout);
            await process.WaitForExitAsync(timeout.Token);
        }

        var (output, errors) = (await stdout, await stderr);
        Assert.True(process.ExitCode == 0 && (errors.Length == 0 || environment is not null),
            $"The recipe failed (exit {process.ExitCode}); jq, unzip, gzip and coreutils must be installed (apt-get install -y jq unzip).\n--- script\n{script}--- stderr\n{errors}--- stdout\n{Head(output)}");
        return new ShellResult(directory, output, errors);
    }

    /// <summary>Every row a reader returns, each value as invariant text (NULL as empty), for SQLite and DuckDB alike.</summary>
    public static List<string[]> Rows(System.Data.Common.DbDataReader reader)
    {
        var rows = new List<string[]>();
        while (reader.Read())
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)!;
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Runs a DuckDB query with relative paths resolved in the export folder; every value as invariant text.</summary>
    public static List<string[]> DuckDb(DemoExport export, string sql) => DuckDb(export.ExportDirectory, sql);

    /// <summary>Runs a DuckDB query with relative paths resolved in <paramref name="directory"/>.</summary>
    public static List<string[]> DuckDb(string directory, string sql)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = $"SET file_search_path = '{directory.Replace("'", "''", StringComparison.Ordinal)}'";
            setup.ExecuteNonQuery();
        }

        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        return Rows(reader);
    }

    public static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    private static string Head(string text) => text.Length <= 2000 ? text : text[..2000] + "…";
}
