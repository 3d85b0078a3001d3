-- CreateTable
CREATE TABLE "Account" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "passwordHash" TEXT NOT NULL,
    "groups" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Session" (
    "tokenHash" TEXT NOT NULL PRIMARY KEY,
    "userName" TEXT NOT NULL,
    "groups" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "accountName" TEXT,
    CONSTRAINT "Session_accountName_fkey" FOREIGN KEY ("accountName") REFERENCES "Account" ("name") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL DEFAULT '',
    "name" TEXT NOT NULL,
    "verdict" TEXT NOT NULL,
    "message" TEXT NOT NULL DEFAULT ''
);

-- CreateTable
CREATE TABLE "UsageSample" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL DEFAULT '',
    "name" TEXT NOT NULL,
    "v4Used" INTEGER NOT NULL DEFAULT 0,
    "v4Total" INTEGER NOT NULL DEFAULT 0,
    "v6Used" TEXT NOT NULL DEFAULT '0',
    "v6Total" TEXT NOT NULL DEFAULT '0'
);

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_actor_at_idx" ON "AuditEvent"("actor", "at");

-- CreateIndex
CREATE INDEX "UsageSample_kind_namespace_name_at_idx" ON "UsageSample"("kind", "namespace", "name", "at");
