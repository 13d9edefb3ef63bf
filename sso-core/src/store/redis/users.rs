//! People: users, their emails and usernames, the revocation of their access tokens, and the SSO tokens linked to them.

use async_trait::async_trait;

use super::*;

#[async_trait]
impl UserStore for RedisStore {
    async fn insert_user(&self, user: &User) -> Result<(), InsertUserError> {
        let mut conn = self.conn().await?;
        let id = user.id.0.simple().to_string();
        // Each unique name is claimed with SET NX; a later failure releases
        // the claims made so far, so no name is lost to a failed insert.
        let mut claims = Vec::new();
        let names = [
            Some(&user.email_normalized)
                .filter(|e| !e.is_empty())
                .map(|e| match user.api_user {
                    true => (key_api_email(e), InsertUserError::EmailTaken),
                    false => (key_email(e), InsertUserError::EmailTaken),
                }),
            user.username
                .as_ref()
                .map(|n| (key_username(n), InsertUserError::UsernameTaken)),
        ];
        let mut outcome = Ok(());
        for (key, taken) in names.into_iter().flatten() {
            let claim = redis::cmd("SET").arg(&key).arg(&id).arg("NX").clone();
            match timed(claim.query_async::<Option<String>>(&mut conn)).await {
                Ok(Some(_)) => claims.push(key),
                Ok(None) => {
                    outcome = Err(taken);
                    break;
                }
                Err(err) => {
                    outcome = Err(err.into());
                    break;
                }
            }
        }
        if outcome.is_ok() {
            outcome = timed(conn.set::<_, _, ()>(key_user(user.id), to_json(user)))
                .await
                .map_err(Into::into);
        }
        if outcome.is_err() && !claims.is_empty() {
            let _ = timed(conn.del::<_, ()>(&claims)).await;
        }
        outcome
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let mut conn = self.conn().await?;
        from_json(timed(conn.get::<_, Option<String>>(key_user(id))).await?)
    }

    async fn update_user(
        &self,
        id: UserId,
        change: crate::store::UserChange,
    ) -> Result<Option<User>, StoreError> {
        // Read, change, swap if unchanged meanwhile. This process's changes
        // of one person wait for each other, so only another instance's can
        // make a swap fail; then a short random pause lets the rivals spread
        // out. (Without the turns, a person's 24 concurrent passkey sign-ins
        // in one instance exhausted the rounds: a store error.)
        let stripe = (id.0.as_u128() % self.user_turns.len() as u128) as usize;
        let _turn = self.user_turns[stripe].lock().await;
        let mut conn = self.conn().await?;
        let key = key_user(id);
        for round in 0..8u32 {
            if round > 0 {
                let pause = rand::random_range(0..(250u64 << round));
                tokio::time::sleep(Duration::from_micros(pause)).await;
            }
            let Some(raw) = timed(conn.get::<_, Option<String>>(&key)).await? else {
                return Ok(None);
            };
            let mut user: User = serde_json::from_str(&raw)
                .map_err(|e| StoreError::Corrupt(format!("user record: {e}")))?;
            if !change.apply(&mut user) {
                return Ok(Some(user));
            }
            let mut swap = self.swap_if_equal.key(&key);
            swap.arg(&raw).arg(to_json(&user));
            if timed(swap.invoke_async::<i64>(&mut conn)).await? == 1 {
                return Ok(Some(user));
            }
        }
        Err(StoreError::Backend(
            "the user record kept changing during an update".to_owned(),
        ))
    }

    async fn user_for_token(&self, id: UserId) -> Result<(Option<User>, i64), StoreError> {
        let mut conn = self.conn().await?;
        let (user, revoked): (Option<String>, Option<i64>) = timed(
            redis::cmd("MGET")
                .arg(key_user(id))
                .arg(key_revoked_tokens(id))
                .query_async(&mut conn),
        )
        .await?;
        Ok((from_json(user)?, revoked.unwrap_or(0)))
    }

    async fn revoke_tokens(
        &self,
        user: UserId,
        until_ms: i64,
        keep: Duration,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let mut raise = self.raise.key(key_revoked_tokens(user));
        raise.arg(until_ms).arg(millis(keep));
        timed(raise.invoke_async::<()>(&mut conn)).await
    }

    async fn user_by_email(&self, normalized_email: &str) -> Result<Option<User>, StoreError> {
        let mut conn = self.conn().await?;
        let id: Option<String> = timed(conn.get(key_email(normalized_email))).await?;
        let Some(id) = id else { return Ok(None) };
        let id = Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.user(UserId(id)).await
    }

    async fn link_sso_token(
        &self,
        service: &ServiceId,
        token: &SecretHash,
        user: UserId,
    ) -> Result<(), LinkError> {
        let mut conn = self.conn().await?;
        let mut call = self.link.key(key_token(service, token));
        call.key(key_user_token(service, user))
            .arg(user.0.simple().to_string())
            .arg(token.as_str());
        match timed(call.invoke_async::<String>(&mut conn))
            .await?
            .as_str()
        {
            "ok" => Ok(()),
            "user_has_token" => Err(LinkError::UserHasToken),
            "token_linked" => Err(LinkError::TokenLinkedElsewhere),
            other => Err(StoreError::Corrupt(format!("link script answered {other}")).into()),
        }
    }

    async fn clear_sso_token(&self, service: &ServiceId, user: UserId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let user_key = key_user_token(service, user);
        // A link changed between the read and the script is read again; a
        // few rounds are plenty, since each round needs a concurrent change.
        for _ in 0..8 {
            let Some(linked) = timed(conn.get::<_, Option<String>>(&user_key)).await? else {
                return Ok(false);
            };
            let mut call = self.clear.key(&user_key);
            call.key(format!("{}{linked}", key_token_prefix(service)))
                .arg(&linked);
            match timed(call.invoke_async::<i64>(&mut conn)).await? {
                1 => return Ok(true),
                0 => return Ok(false),
                _ => continue,
            }
        }
        Err(StoreError::Backend(
            "the SSO token link kept changing during clear".to_owned(),
        ))
    }

    async fn sso_token_user(
        &self,
        service: &ServiceId,
        token: &SecretHash,
    ) -> Result<Option<UserId>, StoreError> {
        let mut conn = self.conn().await?;
        let id: Option<String> = timed(conn.get(key_token(service, token))).await?;
        id.map(|id| {
            Uuid::parse_str(&id)
                .map(UserId)
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .transpose()
    }
}
