using System.Text;

namespace SupportSignal.Cli;

/// <summary>A password prompt that echoes nothing (not even asterisks, which would leak the length).</summary>
internal static class ConsolePassword
{
    public static string? Read(string prompt, TextWriter stderr)
    {
        stderr.Write(prompt);
        stderr.Flush();
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    stderr.WriteLine();
                    return password.ToString();
                case ConsoleKey.Backspace when password.Length > 0:
                    password.Length--;
                    break;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        password.Append(key.KeyChar);
                    }

                    break;
            }
        }
    }
}
