# Multi-stage build: the SDK image builds, the small ASP.NET runtime image runs, as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY AgencyBot.Core/AgencyBot.Core.csproj AgencyBot.Core/
COPY AgencyBot.Host/AgencyBot.Host.csproj AgencyBot.Host/
RUN dotnet restore AgencyBot.Host/AgencyBot.Host.csproj
COPY AgencyBot.Core/ AgencyBot.Core/
COPY AgencyBot.Host/ AgencyBot.Host/
RUN dotnet publish AgencyBot.Host/AgencyBot.Host.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# SQLite lives on a volume so messages survive the container.
RUN mkdir -p /app/data && chown app:app /app/data
VOLUME /app/data
USER app
ENV ASPNETCORE_URLS=http://+:8080 \
    Database__ConnectionString="Data Source=/app/data/agencybot.db"
EXPOSE 8080
ENTRYPOINT ["dotnet", "AgencyBot.Host.dll"]
