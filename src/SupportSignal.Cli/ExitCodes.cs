namespace SupportSignal.Cli;

/// <summary>
/// Every exit code <c>supportsignal</c> returns, in one place (docs/cli.md repeats this table).
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command failed for another reason (for example seeding a database that is not empty); the message says why.</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments or configuration: unknown verb or flag, a value that does not parse, an unknown format or table, a weak password.</summary>
    public const int BadArguments = 2;

    /// <summary>The database cannot be reached, its SQLite file is missing, or its schema is not the version this tool expects.</summary>
    public const int Database = 3;

    /// <summary>The output cannot be written: missing directory, no permission, an existing file without --force, a write that failed.</summary>
    public const int OutputNotWritable = 4;

    /// <summary>Cancelled (Ctrl-C or SIGTERM); nothing half-written is left behind.</summary>
    public const int Cancelled = 130;
}

/// <summary>An expected failure with the exit code it maps to and a message fit for an operator.</summary>
public sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
