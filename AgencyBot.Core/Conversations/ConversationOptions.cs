namespace AgencyBot.Core.Conversations;

/// <summary>Conversations: how long choices about who a message is for hold, and how strangers are treated.</summary>
public sealed class ConversationOptions
{
    public const string Section = "Conversations";

    /// <summary>In a chat linked to several projects, how long the client's pick of a project holds; each message they
    /// write about it renews it. After that the bot asks again rather than guess.</summary>
    public TimeSpan ProjectChoiceLasts { get; set; } = TimeSpan.FromHours(8);

    /// <summary>In a topic whose project has several client chats, how long a staff member's answers keep going to the
    /// chat they last answered (or chose); each answer renews it.</summary>
    public TimeSpan RecipientChoiceLasts { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A chat linked to no project (a stranger) is told how to link it at most once per this.</summary>
    public TimeSpan StrangerReplyEvery { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A stranger's chat and updates are deleted once it has been silent this long.</summary>
    public TimeSpan StrangerRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Handled updates (the raw JSON Telegram sent) are deleted after this; what was said stays in the
    /// conversation record. Dead letters and updates a held message still needs are kept.</summary>
    public TimeSpan UpdateRetention { get; set; } = TimeSpan.FromDays(30);
}
