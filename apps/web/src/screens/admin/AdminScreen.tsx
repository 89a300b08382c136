import { useState } from "react";
import { AmlQueue } from "./AmlQueue.js";
import { UserAdmin } from "./UserAdmin.js";
import "./admin.css";
import { useTitle } from "../../app/use-title.js";

/** Admin pages: one user's role, KYC level and freeze; the AML review queue. */
export default function AdminScreen() {
  useTitle("Admin");
  const [userId, setUserId] = useState("");
  return (
    <div className="page admin">
      <h1>Admin</h1>
      <div className="admin-grid">
        <UserAdmin key={userId} initialUserId={userId} />
        <AmlQueue onManageUser={setUserId} />
      </div>
    </div>
  );
}
