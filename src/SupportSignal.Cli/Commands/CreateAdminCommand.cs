using System.CommandLine;
using System.Net.Mail;

using SupportSignal.Data;
using SupportSignal.Data.Entities;

namespace SupportSignal.Cli.Commands;

/// <summary>
/// <c>supportsignal create-admin --email E</c>: creates a SystemAdmin, or resets the password and
/// role of the user with that e-mail. The password never comes from a flag (it would land in
/// shell history and the process list): from SUPPORTSIGNAL_ADMIN_PASSWORD, else a hidden prompt.
/// </summary>
public static class CreateAdminCommand
{
    public const string PasswordVariable = "SUPPORTSIGNAL_ADMIN_PASSWORD";

    /// <summary>The web app's Identity rules (IdentityExtensions): 12+ characters, upper, lower, digit, symbol.</summary>
    public const int MinimumLength = 12;

    public static Command Create(CliContext cli)
    {
        var email = new Option<string>("--email") { Description = "E-mail address (and user name) of the admin.", Required = true };
        var name = new Option<string>("--name")
        {
            Description = "Display name.",
            DefaultValueFactory = _ => "System Administrator",
        };
        var command = new Command("create-admin",
            $"Create a SystemAdmin user, or reset that user's password. The password comes from {PasswordVariable} or a hidden prompt.")
        {
            email, name,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var address = parseResult.GetRequiredValue(email).Trim();
            if (!MailAddress.TryCreate(address, out var parsed) || parsed.Address != address)
            {
                throw new CliException(ExitCodes.BadArguments, $"--email {Export.InputText.Quote(address)} is not an e-mail address.");
            }

            var password = ReadPassword(cli, address);
            await using var db = await cli.OpenDatabaseAsync(parseResult, cancellationToken);
            var user = await AccountSeeder.EnsureUserAsync(
                db, address, parseResult.GetValue(name) ?? address, AppRole.SystemAdmin, password, cancellationToken: cancellationToken);
            cli.Out.WriteLine($"SystemAdmin {user.Email} is ready (user id {user.Id:D}).");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string ReadPassword(CliContext cli, string email)
    {
        var password = cli.Environment.GetVariable(PasswordVariable);
        if (string.IsNullOrEmpty(password))
        {
            if (!cli.Environment.StdinIsTerminal)
            {
                throw new CliException(ExitCodes.BadArguments,
                    $"No password: set {PasswordVariable}, or run create-admin in a terminal to be prompted for one.");
            }

            password = cli.Environment.ReadHiddenLine($"Password for {email}: ", cli.Error);
            Require(password);
            if (cli.Environment.ReadHiddenLine("Repeat the password: ", cli.Error) != password)
            {
                throw new CliException(ExitCodes.BadArguments, "The passwords do not match.");
            }
        }

        Require(password);
        return password!;
    }

    private static void Require(string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            throw new CliException(ExitCodes.BadArguments, "The password is empty.");
        }

        var missing = Weaknesses(password);
        if (missing.Count > 0)
        {
            throw new CliException(ExitCodes.BadArguments, $"The password is too weak: it needs {string.Join(", ", missing)}.");
        }
    }

    /// <summary>What the password lacks, in words; empty when it is strong enough.</summary>
    public static IReadOnlyList<string> Weaknesses(string password)
    {
        var missing = new List<string>();
        if (password.Length < MinimumLength)
        {
            missing.Add($"at least {MinimumLength} characters");
        }

        if (!password.Any(char.IsUpper))
        {
            missing.Add("an upper-case letter");
        }

        if (!password.Any(char.IsLower))
        {
            missing.Add("a lower-case letter");
        }

        if (!password.Any(char.IsDigit))
        {
            missing.Add("a digit");
        }

        if (password.All(char.IsLetterOrDigit))
        {
            missing.Add("a symbol");
        }

        return missing;
    }
}
