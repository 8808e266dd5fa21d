using Microsoft.Extensions.Time.Testing;

namespace SupportSignal.Testing;

/// <summary>
/// The tests' one clock: a <see cref="FakeTimeProvider"/> standing at <see cref="Now"/> until a test moves
/// it, so file names and metadata timestamps are the same on every run and durations are exact.
/// </summary>
public static class TestClock
{
    /// <summary>The instant every test clock starts at: 2026-11-26 09:30:00 UTC.</summary>
    public static DateTimeOffset Now { get; } = new(2026, 11, 26, 9, 30, 0, TimeSpan.Zero);

    /// <summary>A fresh clock of its own (a test that advances it affects no other test).</summary>
    public static FakeTimeProvider Create() => new(Now);
}
