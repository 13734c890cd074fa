namespace AgencyBot.Core.Messaging;

/// <summary>The bot's own username, learned from getMe at start-up: commands addressed to another bot
/// (<c>/help@other_bot</c> in a shared group) are not ours.</summary>
public sealed class BotUser
{
    public string? Username { get; set; }

    public Command? ParseCommand(string? text) =>
        Command.Parse(text) is { } command && (command.Bot is null || Username is null || command.Bot.Equals(Username, StringComparison.OrdinalIgnoreCase))
            ? command
            : null;
}
