using AgencyBot.Core.Agency;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using AgencyBot.Core.StaffGroup;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Core.Conversations;

/// <summary>
/// Posts what clients write into the staff chat: into the project's topic when the staff chat is a forum, else into
/// the group with a header naming client, project and sender (staff answer by replying to it). Media is copied by
/// Telegram (copyMessage), never downloaded; an album goes as one copyMessages.
/// </summary>
public sealed class StaffRelay(OutboxStore outbox, StaffNotices notices, IOptions<AgencyOptions> agency)
{
    /// <summary>How long an album waits for its further parts (Telegram sends them as separate updates).</summary>
    public static readonly TimeSpan AlbumWait = TimeSpan.FromSeconds(1.5);

    /// <param name="firstOfWait">The message opened a waiting period: its relay goes before follow-ups of others.</param>
    public async Task RelayAsync(IDbConnection c, IDbTransaction t, StaffChat staff, BoundProject project, ClientChat chat, Message message,
        long messageId, bool firstOfWait)
    {
        var link = new OutboxLink(TopicProjectId: project.ProjectId, MessageId: messageId, FirstOfWait: firstOfWait);
        var header = $"{Header(staff, project, chat, message.From)} · {TimeOf(message)}";
        // Text relays (and the line announcing a media post) may share one post with what queues behind them.
        var mergeable = link with { Mergeable = true };
        var to = staff.ChatId;

        if (message.MediaGroupId is { } album)
        {
            if (await outbox.AppendToAlbumAsync(c, t, to, album, message.Id, AlbumWait)) return;
            await notices.PostAsync(c, t, to, Headed(header, "sent an album:"), mergeable, buttons: RelayButtons.For(messageId));
            await outbox.EnqueueAsync(c, t, to, new CopyMessagesRequest { ChatId = to, FromChatId = chat.ChatId, MessageIds = [message.Id] },
                link with { Delay = AlbumWait });
            if (message.Caption is not null && message.Caption.Length > MessageContent.MaxCaption)
                await notices.PostAsync(c, t, to, Quoted(header, MessageContent.FormattedOf(message)!), link); // Telegram keeps album captions; an overlong one is sent in full too
            return;
        }
        var buttons = RelayButtons.For(messageId);
        if (message.Text is not null)
        {
            await notices.PostAsync(c, t, to, Quoted(header, MessageContent.FormattedOf(message)!), mergeable, buttons: buttons);
            return;
        }
        if (MessageContent.CarriesCaption(message))
        {
            var caption = MessageContent.FormattedOf(message) is { } own ? Quoted(header, own) : Headed(header, null);
            var fits = caption.Text.Length <= MessageContent.MaxCaption;
            var shown = fits ? caption : Headed(header, null);
            await outbox.EnqueueAsync(c, t, to, new CopyMessageRequest
            {
                ChatId = to, FromChatId = chat.ChatId, MessageId = message.Id, Caption = shown.Text, ReplyMarkup = buttons,
                CaptionEntities = shown.Entities.Count > 0 ? [.. shown.Entities] : null,
            }, link);
            if (!fits) await notices.PostAsync(c, t, to, caption, link);
            return;
        }
        // Stickers, locations, contacts, video notes carry no caption: say who sent it, then copy it.
        await notices.PostAsync(c, t, to, Headed(header, $"sent a {MessageContent.Kind(message).Replace("videonote", "video note", StringComparison.Ordinal)}:"), mergeable,
            buttons: buttons);
        await outbox.EnqueueAsync(c, t, to, new CopyMessageRequest { ChatId = to, FromChatId = chat.ChatId, MessageId = message.Id }, link);
    }

    /// <summary>A client edited a message: staff see the new text as a reply to the original relay.</summary>
    public async Task RelayEditAsync(IDbConnection c, IDbTransaction t, StaffChat staff, BoundProject project, ClientChat chat, Message edited,
        ConversationMessage original)
    {
        var link = new OutboxLink(TopicProjectId: project.ProjectId, MessageId: original.Id);
        var posts = await ConversationStore.PostsOfAsync(c, t, original.Id, staff.ChatId);
        var header = $"✏️ {Header(staff, project, chat, edited.From)} edited a message:";
        var text = MessageContent.FormattedOf(edited) is { } now ? Quoted(header, now) : Headed(header, "(no text)");
        await notices.PostAsync(c, t, staff.ChatId, text, link, replyTo: posts.Count > 0 ? (int)posts[0] : null);
    }

    /// <summary>
    /// A relay as nobody can forge it: the header (who, where, when) in bold, the client's words below it inside a
    /// quote, with their own formatting. A client can type a line that reads like a header, but it stays inside the
    /// quote; only the bot's header is bold outside one.
    /// </summary>
    private static FormattedText Quoted(string header, FormattedText words)
    {
        var own = words.Entities.Where(e => e.Type is not (MessageEntityType.Blockquote or MessageEntityType.ExpandableBlockquote)).ToList();
        var quote = new MessageEntity { Type = MessageEntityType.Blockquote, Offset = 0, Length = words.Text.Length };
        return Headed(header, null).Append("\n").Append(new FormattedText(words.Text, words.Text.Length > 0 ? [quote, .. own] : own));
    }

    /// <summary>The bold header, and a line of the bot's own after it.</summary>
    private static FormattedText Headed(string header, string? line)
    {
        var bold = new FormattedText(header, [new MessageEntity { Type = MessageEntityType.Bold, Offset = 0, Length = header.Length }]);
        return line is null ? bold : bold.Append($"\n{line}");
    }

    private string TimeOf(Message message) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(message.Date, DateTimeKind.Utc), agency.Value.Zone())
            .ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    private static string Header(StaffChat staff, BoundProject project, ClientChat chat, User? from)
    {
        var sender = MessageContent.SenderName(from);
        var where = chat.Kind == "group" ? $" in “{chat.Title}”" : "";
        // Inside a project's topic the sender is enough; anywhere else (or not known yet) name the project too.
        return staff.IsForum == true ? $"💬 {sender}{where}" : $"💬 {sender}{where} · {project.ClientName} / {project.ProjectName}";
    }
}
