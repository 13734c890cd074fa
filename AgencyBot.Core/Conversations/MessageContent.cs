using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Core.Conversations;

/// <summary>What kind of message this is, for recording and relaying it.</summary>
public static class MessageContent
{
    public const int MaxText = 4096;
    public const int MaxCaption = 1024;

    private static readonly HashSet<MessageType> Relayable =
    [
        MessageType.Text, MessageType.Photo, MessageType.Document, MessageType.Voice, MessageType.Video, MessageType.VideoNote,
        MessageType.Sticker, MessageType.Location, MessageType.Contact, MessageType.Audio, MessageType.Animation,
        MessageType.Venue, MessageType.Poll, MessageType.Dice,
    ];

    private static readonly HashSet<MessageType> Captioned =
        [MessageType.Photo, MessageType.Document, MessageType.Voice, MessageType.Video, MessageType.Audio, MessageType.Animation];

    /// <summary>Messages people write (not service messages such as "X joined the group").</summary>
    public static bool IsRelayable(Message message) => Relayable.Contains(message.Type);

    public static bool CarriesCaption(Message message) => Captioned.Contains(message.Type);

    public static string Kind(Message message) => message.Type.ToString().ToLowerInvariant();

    public static string? TextOf(Message message) => message.Text ?? message.Caption;

    public static string SenderName(User? user) =>
        user is null ? "Someone" : string.Join(' ', new[] { user.FirstName, user.LastName }.Where(n => !string.IsNullOrWhiteSpace(n)));

    /// <summary>Splits text into parts of at most <paramref name="max"/> characters, preferring line and word breaks
    /// and never splitting a surrogate pair, so nothing is cut off.</summary>
    public static IReadOnlyList<string> Split(string text, int max = MaxText)
    {
        var parts = new List<string>();
        var rest = text;
        while (rest.Length > max)
        {
            var cut = rest.LastIndexOf('\n', max - 1, max / 2);
            if (cut <= 0) cut = rest.LastIndexOf(' ', max - 1, max / 2);
            if (cut <= 0) cut = char.IsHighSurrogate(rest[max - 1]) ? max - 1 : max;
            else cut++; // keep the separator with the first part
            parts.Add(rest[..cut]);
            rest = rest[cut..];
        }
        if (rest.Length > 0 || parts.Count == 0) parts.Add(rest);
        return parts;
    }
}
