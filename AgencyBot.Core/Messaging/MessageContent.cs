using Telegram.Bot.Types.Enums;

namespace AgencyBot.Core.Messaging;

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

    /// <summary>The file a message carries, if any: its name (documents, videos and audio have one) and size.</summary>
    public static SentFile? FileOf(Message message) => message switch
    {
        { Document: { } d } => new SentFile(d.FileName, d.FileSize),
        { Photo: [.., var largest] } => new SentFile(null, largest.FileSize),
        { Video: { } v } => new SentFile(v.FileName, v.FileSize),
        { Audio: { } a } => new SentFile(a.FileName, a.FileSize),
        { Animation: { } g } => new SentFile(g.FileName, g.FileSize),
        { Voice: { } n } => new SentFile(null, n.FileSize),
        { VideoNote: { } vn } => new SentFile(null, vn.FileSize),
        _ => null,
    };

    public static string SenderName(User? user) =>
        user is null ? "Someone" : string.Join(' ', new[] { user.FirstName, user.LastName }.Where(n => !string.IsNullOrWhiteSpace(n)));

    /// <summary>A message's text or caption with its formatting, as Telegram sent it.</summary>
    public static FormattedText? FormattedOf(Message message) =>
        message.Text is { } text ? new FormattedText(text, FormattedText.Known(message.Entities))
        : message.Caption is { } caption ? new FormattedText(caption, FormattedText.Known(message.CaptionEntities))
        : null;

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

/// <summary>
/// Text with Telegram's formatting (bold, links, code…), as offsets and lengths in UTF-16 code units, which is what C#
/// strings count in. Appending, cutting and splitting keep every entity on the characters it covered.
/// </summary>
public sealed record FormattedText(string Text, IReadOnlyList<MessageEntity> Entities)
{
    public static FormattedText Plain(string text) => new(text, []);

    /// <summary>Entities Telegram may send back to us: one of a type newer than our library reads as type 0, and
    /// sending that would fail.</summary>
    public static IReadOnlyList<MessageEntity> Known(IEnumerable<MessageEntity>? entities) =>
        (entities ?? []).Where(e => Enum.IsDefined(e.Type) && e.Length > 0 && e.Offset >= 0).ToList();

    public FormattedText Append(string more) => this with { Text = Text + more };

    public FormattedText Append(FormattedText more) => new(Text + more.Text, [.. Entities, .. more.Entities.Select(e => Shifted(e, Text.Length))]);

    /// <summary>The part from <paramref name="start"/> on, entities moved along.</summary>
    public FormattedText From(int start) => Slice(start, Text.Length - start);

    /// <summary>What follows the first word and the spaces after it (a command's words: "/all The site is live").</summary>
    public FormattedText AfterFirstWord()
    {
        var end = Text.AsSpan().IndexOfAny(' ', '\n');
        if (end < 0) return Slice(Text.Length, 0);
        while (end < Text.Length && char.IsWhiteSpace(Text[end])) end++;
        return From(end);
    }

    /// <summary>Parts of at most <paramref name="max"/> characters (see <see cref="MessageContent.Split"/>), each with
    /// the entities (or pieces of them) that fall in it.</summary>
    public IReadOnlyList<FormattedText> Split(int max = MessageContent.MaxText)
    {
        var parts = new List<FormattedText>();
        var start = 0;
        foreach (var text in MessageContent.Split(Text, max))
        {
            parts.Add(Slice(start, text.Length));
            start += text.Length;
        }
        return parts;
    }

    private FormattedText Slice(int start, int length)
    {
        var end = start + length;
        var entities = Entities
            .Where(e => e.Offset < end && e.Offset + e.Length > start)
            .Select(e =>
            {
                var from = Math.Max(e.Offset, start);
                var to = Math.Min(e.Offset + e.Length, end);
                return Copy(e, from - start, to - from);
            })
            .ToList();
        return new FormattedText(Text.Substring(start, length), entities);
    }

    private static MessageEntity Shifted(MessageEntity e, int by) => Copy(e, e.Offset + by, e.Length);

    private static MessageEntity Copy(MessageEntity e, int offset, int length) => new()
    {
        Type = e.Type, Offset = offset, Length = length, Url = e.Url, User = e.User, Language = e.Language, CustomEmojiId = e.CustomEmojiId,
        UnixTime = e.UnixTime, DateTimeFormat = e.DateTimeFormat,
    };
}

/// <summary>A file as a message carried it.</summary>
public sealed record SentFile(string? Name, long? Size);
