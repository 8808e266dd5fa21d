using Microsoft.Win32.SafeHandles;

namespace SupportSignal.Cli;

/// <summary>
/// What the CLI takes from the process around it. <see cref="System"/> is the real process;
/// tests replace any part (environment variables, terminals, standard output, the clock).
/// </summary>
public sealed record CliEnvironment
{
    /// <summary>The real process: its environment, console and clock; configuration next to the executable.</summary>
    public static CliEnvironment System { get; } = new()
    {
        Variables = null,
        StandardOutput = OpenStandardOutput,
        StdinIsTerminal = !Console.IsInputRedirected,
        StdoutIsTerminal = !Console.IsOutputRedirected,
        StderrIsTerminal = !Console.IsErrorRedirected,
        TerminalWidth = Console.IsErrorRedirected ? 0 : ConsoleWidth(),
        ReadHiddenLine = ConsolePassword.Read,
    };

    /// <summary>Where appsettings.json is looked for and where the default App_Data/supportsignal.db lives.</summary>
    public string BaseDirectory { get; init; } = AppContext.BaseDirectory;

    /// <summary>Environment variables; null reads the process environment.</summary>
    public IReadOnlyDictionary<string, string?>? Variables { get; init; } = new Dictionary<string, string?>();

    /// <summary>Opens the binary standard output (export to <c>-</c>); null writes UTF-8 text to the stdout writer.</summary>
    public Func<Stream>? StandardOutput { get; init; }

    public bool StdinIsTerminal { get; init; }

    public bool StdoutIsTerminal { get; init; }

    public bool StderrIsTerminal { get; init; }

    /// <summary>Columns of the terminal stderr is on (the live progress line is cut to fit); 0 when unknown.</summary>
    public int TerminalWidth { get; init; }

    /// <summary>Reads a line from the terminal without echoing it, after writing the prompt to standard error.</summary>
    public Func<string, TextWriter, string?> ReadHiddenLine { get; init; } = (_, _) => null;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How often a non-terminal stderr gets a progress line during an export.</summary>
    public TimeSpan PlainProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    public string? GetVariable(string name) =>
        Variables is null ? Environment.GetEnvironmentVariable(name) : Variables.GetValueOrDefault(name);

    // Console's own stream ignores EPIPE, so an export into a closed pipe would report success; a
    // FileStream over descriptor 1 reports it (exit 4).
    private static Stream OpenStandardOutput() =>
        OperatingSystem.IsWindows()
            ? Console.OpenStandardOutput()
            : new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);

    private static int ConsoleWidth()
    {
        try
        {
            return Console.WindowWidth;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            // No usable terminal size: the live line is simply not cut.
            return 0;
        }
    }
}
