namespace AgencyBot.Core.Projects;

/// <summary>How a project is named to people: "Client · Project" (its staff topic, notices, the digest). Written here
/// once, for C# and for SQL.</summary>
public static class ProjectLabel
{
    private const string Separator = " · ";

    public static string Of(string client, string project) => client + Separator + project;

    /// <summary>The same label in SQL (both engines), over the aliases of a clients and a projects table.</summary>
    public static string Sql(string clients, string projects) => $"{clients}.name || '{Separator}' || {projects}.name";
}
