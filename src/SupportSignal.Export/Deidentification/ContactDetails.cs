using System.Text.RegularExpressions;

namespace SupportSignal.Export.Deidentification;

/// <summary>
/// The contact details a de-identified export removes from prose whoever they belong to: e-mail
/// addresses, NDIS numbers and Australian phone numbers, each replaced by a placeholder.
/// </summary>
internal static partial class ContactDetails
{
    public const string EmailPlaceholder = "[email]";
    public const string PhonePlaceholder = "[phone]";
    public const string NdisPlaceholder = "[ndis number]";

    /// <summary>The text with every e-mail address, NDIS number and phone number replaced by its placeholder (the same string when none occurs).</summary>
    public static string Replace(string text)
    {
        var result = EmailPattern().Replace(text, EmailPlaceholder);
        result = NdisPattern().Replace(result, NdisPlaceholder);
        return PhonePattern().Replace(result, PhonePlaceholder);
    }

    // Every pattern needs an '@' or a run of at least nine digits, at most one space or hyphen
    // apart. Most prose has neither, so the regexes (which need a .NET string) rarely run.
    public static bool MayOccurIn(ReadOnlySpan<byte> text)
    {
        if (text.Contains((byte)'@'))
        {
            return true;
        }

        var at = text.IndexOfAnyInRange((byte)'0', (byte)'9');
        while (at >= 0)
        {
            var digits = 0;
            var i = at;
            while (i < text.Length)
            {
                if (char.IsAsciiDigit((char)text[i]))
                {
                    digits++;
                    i++;
                }
                else if (text[i] is (byte)' ' or (byte)'-' && i + 1 < text.Length && char.IsAsciiDigit((char)text[i + 1]))
                {
                    i++;
                }
                else
                {
                    break;
                }
            }

            if (digits >= 9)
            {
                return true;
            }

            var next = text[i..].IndexOfAnyInRange((byte)'0', (byte)'9');
            at = next < 0 ? -1 : i + next;
        }

        return false;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailPattern();

    // NDIS numbers are nine digits starting 43.
    [GeneratedRegex(@"(?<!\d)43\d{7}(?!\d)")]
    private static partial Regex NdisPattern();

    // Australian mobile and landline numbers, with or without +61, spaces or hyphens.
    [GeneratedRegex(@"(?<![\d+])(?:\+61[ -]?|0)[2-478](?:[ -]?\d){8}(?!\d)")]
    private static partial Regex PhonePattern();
}
