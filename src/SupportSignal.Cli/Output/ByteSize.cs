using System.Globalization;

namespace SupportSignal.Cli.Output;

internal static class ByteSize
{
    private static readonly string[] _units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>1536 → "1.5 KiB"; whole bytes below 1 KiB.</summary>
    public static string Format(double bytes)
    {
        var unit = 0;
        while (bytes >= 1024 && unit < _units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.0} {_units[unit]}");
    }
}
