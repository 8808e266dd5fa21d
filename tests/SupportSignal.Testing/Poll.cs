using System.Diagnostics;

using Xunit;

namespace SupportSignal.Testing;

/// <summary>
/// Waits for something that happens on another thread or in another process: checks a condition until
/// it holds, or fails after a generous timeout with a message saying what never happened. Use it instead
/// of fixed sleeps and instead of asserting how long something took.
/// </summary>
public static class Poll
{
    /// <summary>Long enough that a loaded CI machine never trips it, short enough that a hang fails the run.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static Task UntilAsync(Func<bool> condition, string awaited, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), awaited, timeout);

    public static async Task UntilAsync(Func<Task<bool>> condition, string awaited, TimeSpan? timeout = null) =>
        await UntilAsync(condition, done => done, awaited, timeout);

    /// <summary>Reads a value until it satisfies <paramref name="done"/>, and returns that value.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string awaited, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var cancellationToken = TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        var interval = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"Waited {limit.TotalSeconds:0} s for {awaited}, and it did not happen (last seen: {value}).");
            }

            await Task.Delay(interval, cancellationToken);
            interval = TimeSpan.FromMilliseconds(Math.Min(interval.TotalMilliseconds * 2, 200));
        }
    }
}
