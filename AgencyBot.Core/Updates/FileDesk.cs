using AgencyBot.Core.Clients;
using AgencyBot.Core.Deliverables;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Turns;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Updates;

/// <summary>
/// Project files: staff answer /file [title] to a file in the project's topic (a client's, copied there, or their own)
/// to make it one of the project's; the client's /files lists them, newest first, and a tap sends one again, copied
/// from the staff chat (nothing is downloaded). Callback data "file:&lt;id&gt;"; a tap is obeyed only in a chat of
/// that file's project.
/// </summary>
public sealed class FileDesk(ILogger<FileDesk> logger)
{
    public const string Prefix = "file:";
    private const int Listed = 10;

    public async Task MarkAsync(Turn turn, Message command, long projectId, string title)
    {
        var (c, t) = turn;
        if (command.ReplyToMessage is not { } file || file.IsTopicStart() || MessageContent.FileOf(file) is not { } sent)
        {
            await turn.ReplyAsync(command, "Answer /file [title] to a file (a document, photo, video or audio) to make it one of the project's files.");
            return;
        }
        if (await ProjectFiles.MarkedAsync(c, t, file.Chat.Id, file.Id) is not null)
        {
            await turn.ReplyAsync(command, "This file is one of the project's files already.");
            return;
        }
        var kind = MessageContent.Kind(file);
        title = title.Trim() is { Length: > 0 } given ? Clip(given)
            : sent.Name ?? $"{char.ToUpperInvariant(kind[0])}{kind[1..]} of {file.Date:d MMM yyyy}";
        var id = await ProjectFiles.AddAsync(c, t, projectId, title, kind, sent, file.Chat.Id, file.Id, turn.Member!.Id, turn.Now);
        logger.LogInformation("Staff {StaffId} made message {MessageId} project {ProjectId}'s file {FileId}", turn.Member.Id, file.Id, projectId, id);
        await turn.NoticeAsync(projectId, $"📎 “{title}” is one of the project's files: the client finds it with /files.", command.Id);
    }

    /// <summary>/files in a client chat: the files of its projects, newest first, a button each.</summary>
    public static async Task ListAsync(Turn turn, long chatId, string language)
    {
        var files = await ProjectFiles.OfChatAsync(turn.Connection, turn.Transaction, chatId, Listed);
        if (files.Count == 0)
        {
            await turn.SendAsync(chatId, ClientTexts.Get("NoFiles", language));
            return;
        }
        var buttons = files.Select(f => new[] { InlineKeyboardButton.WithCallbackData($"{Icon(f.Kind)} {Clip(f.Title)}", $"{Prefix}{f.Id}") });
        await turn.SendAsync(chatId, new SendMessageRequest
        {
            ChatId = chatId, Text = ClientTexts.Get("FilesList", language), ReplyMarkup = new InlineKeyboardMarkup(buttons),
        });
    }

    public async Task HandleButtonAsync(Turn turn, CallbackQuery query)
    {
        var (c, t) = turn;
        var chatId = query.Message?.Chat.Id;
        var file = long.TryParse(query.Data![Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await ProjectFiles.FindAsync(c, t, id) : null;
        var projects = chatId is { } chat ? await ChatBindingStore.ProjectsOfChatAsync(c, t, chat) : [];
        if (file is null || projects.All(p => p.ProjectId != file.ProjectId))
        {
            logger.LogWarning("Refused file button {Data} in chat {ChatId}", query.Data, chatId);
            await turn.AnswerButtonAsync(query, ClientTexts.Get("ButtonExpired", ClientTexts.Pick(null, query.From.LanguageCode)));
            return;
        }
        await turn.AnswerButtonAsync(query, null);
        await turn.SendAsync(chatId!.Value, new CopyMessageRequest { ChatId = chatId.Value, FromChatId = file.FromChatId, MessageId = (int)file.FromMessageId });
    }

    private static string Icon(string kind) => kind switch { "photo" => "🖼", "video" or "videonote" or "animation" => "🎬", "audio" or "voice" => "🎧", _ => "📄" };

    private static string Clip(string text) => text.Length <= 60 ? text : text[..59] + "…";
}
