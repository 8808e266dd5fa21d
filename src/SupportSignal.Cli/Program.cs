using System.Runtime.InteropServices;

using SupportSignal.Cli;
using SupportSignal.Data;
using SupportSignal.Export.Diagnostics;

StartupTrace.Mark("runtime started, Main entered");
SqliteThreading.UseMultiThreadMode();

using var cancel = new CancellationTokenSource();

// The first Ctrl-C (or SIGTERM) cancels the verb, which cleans up and exits 130; a second Ctrl-C ends the process at once.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});

var exitCode = await CliApp.RunAsync(args, Console.Out, Console.Error, CliEnvironment.System, cancel.Token);
StartupTrace.Mark("verb finished");
StartupTrace.MarkAssemblies();
return exitCode;
