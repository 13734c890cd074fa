namespace AgencyBot.Sandbox;

/// <summary>Who is who in the demo agency, and the chats the page shows.</summary>
public static class SandboxPeople
{
    public const long StaffChat = -1001000000001;
    public const string StaffChatTitle = "Sreda Digital · team";

    public sealed record Person(long TelegramId, string FirstName, string FullName, string Role);

    public static readonly Person Client = new(7001, "Anna", "Anna Martin", "client");
    public static readonly Person Assistant = new(9001, "Marie", "Marie Dupont", "assistant");
    public static readonly Person Designer = new(9002, "Léa", "Léa Bernard", "designer");
    public static readonly Person Manager = new(9003, "Paul", "Paul Roux", "manager");

    public static readonly Person[] Staff = [Assistant, Designer, Manager];

    public static Person? StaffMember(long telegramId) => Staff.FirstOrDefault(p => p.TelegramId == telegramId);
}
