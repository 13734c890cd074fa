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
}
